using System.Text.Json;

namespace Rethink.Data.Coco;

/// <summary>
/// State shared while parsing one file: where problems go (thrown at once when strict, collected when lenient)
/// and how to turn a byte offset into a line number for messages.
/// </summary>
internal sealed class JsonParseContext
{
    private readonly byte[] _data;
    private readonly int _start;
    private long _lineCursorOffset;
    private int _lineCursorLine = 1;

    public JsonParseContext(byte[] data, int start, string source, bool lenient)
    {
        _data = data;
        _start = start;
        Source = source;
        Lenient = lenient;
    }

    public string Source { get; }

    public bool Lenient { get; }

    public List<CocoProblem> Problems { get; } = [];

    /// <summary>1-based line of a byte offset within the parsed span; offsets mostly grow, so counting resumes.</summary>
    public int LineAt(long offset)
    {
        if (offset < _lineCursorOffset)
        {
            _lineCursorOffset = 0;
            _lineCursorLine = 1;
        }

        ReadOnlySpan<byte> skipped = _data.AsSpan(_start + (int)_lineCursorOffset, (int)(offset - _lineCursorOffset));
        _lineCursorLine += skipped.Count((byte)'\n');
        _lineCursorOffset = offset;
        return _lineCursorLine;
    }

    /// <summary>Throws when strict; otherwise records the problem.</summary>
    public void Report(CocoProblem problem)
    {
        if (!Lenient)
        {
            throw new CocoFormatException(problem);
        }

        Problems.Add(problem);
    }

    /// <summary>A problem with the file as a whole; always fatal.</summary>
    public CocoFormatException Fatal(string field, string message, long? offset = null) =>
        new(new CocoProblem(Source, CocoRecordKind.File, -1, null, field, message, offset is long o ? LineAt(o) : null));

    public CocoFormatException Malformed(JsonException e)
    {
        string detail = e.Message;
        int cut = detail.IndexOf(" LineNumber:", StringComparison.Ordinal);
        if (cut > 0)
        {
            detail = detail[..cut];
        }

        long line = (e.LineNumber ?? 0) + 1;
        long position = (e.BytePositionInLine ?? 0) + 1;
        var problem = new CocoProblem(
            Source, CocoRecordKind.File, -1, null, string.Empty,
            $"malformed JSON at line {line}, position {position}: {detail.Trim()}");
        return new CocoFormatException(problem, e);
    }

    /// <summary>The bytes to parse, without a UTF-8 byte order mark.</summary>
    public static int ContentStart(byte[] data) =>
        data.Length >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF ? 3 : 0;
}
