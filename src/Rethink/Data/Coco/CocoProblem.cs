namespace Rethink.Data.Coco;

/// <summary>
/// One thing wrong with a COCO file: which file, which record (its id, or its index in the array when it has no
/// valid id), which field, and what is wrong. <see cref="ToString"/> gives the full sentence.
/// </summary>
public sealed record CocoProblem(
    string Source,
    CocoRecordKind Kind,
    int Index,
    long? Id,
    string Field,
    string Message,
    int? Line = null)
{
    public override string ToString()
    {
        string where = Line is int line ? $" (line {line})" : string.Empty;
        if (Kind == CocoRecordKind.File)
        {
            string field = Field.Length > 0 ? $"field '{Field}': " : string.Empty;
            return $"{Source}{where}: {field}{Message}";
        }

        string record = Kind switch
        {
            CocoRecordKind.Image => "image",
            CocoRecordKind.Annotation => "annotation",
            CocoRecordKind.Category => "category",
            CocoRecordKind.License => "license",
            _ => "result",
        };
        string identity = Id is long id ? $"{record} id {id} (index {Index})" : $"{record} at index {Index}";
        return $"{Source}{where}: {identity}: field '{Field}': {Message}";
    }
}
