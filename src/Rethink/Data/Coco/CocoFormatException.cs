namespace Rethink.Data.Coco;

/// <summary>A COCO ground-truth or results file is malformed or inconsistent; <see cref="Problem"/> says where and how.</summary>
public sealed class CocoFormatException : Exception
{
    public CocoFormatException(CocoProblem problem, Exception? inner = null)
        : base(problem.ToString(), inner)
    {
        Problem = problem;
    }

    public CocoProblem Problem { get; }
}
