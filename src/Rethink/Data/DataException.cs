namespace Rethink.Data;

/// <summary>Bad input data: says which file, which record (image or annotation id) and which field, and what is wrong.</summary>
public sealed class DataException : Exception
{
    public DataException(string file, string? record, string? field, string problem, Exception? inner = null)
        : base(Format(file, record, field, problem), inner)
    {
        File = file;
        Record = record;
        Field = field;
        Problem = problem;
    }

    public string File { get; }
    public string? Record { get; }
    public string? Field { get; }
    public string Problem { get; }

    static string Format(string file, string? record, string? field, string problem) =>
        $"{file}{(record is null ? "" : $": {record}")}{(field is null ? "" : $", field '{field}'")}: {problem}";
}
