namespace Rethink.Data.Coco;

/// <summary>
/// How strictly to load. By default the first problem throws <see cref="CocoFormatException"/>; with
/// <see cref="SkipBadRecords"/> bad images, annotations, categories and results are left out and listed in the
/// load report instead (malformed JSON still throws: nothing after it can be trusted).
/// </summary>
public sealed record CocoLoadOptions(bool SkipBadRecords = false)
{
    public static CocoLoadOptions Strict { get; } = new();

    public static CocoLoadOptions Lenient { get; } = new(SkipBadRecords: true);
}
