namespace Rethink.Data.Coco;

/// <summary>
/// Field problems of the record being parsed. They are reported only once the whole record is read,
/// so the message can name the record's id whatever order its fields came in.
/// </summary>
internal sealed class RecordProblems
{
    private readonly List<(string Field, string Message)> _items = [];

    public int Count => _items.Count;

    public IReadOnlyList<(string Field, string Message)> Items => _items;

    public void Add(string field, string message) => _items.Add((field, message));

    public void Clear() => _items.Clear();

    /// <summary>Hands every collected problem to the context (which throws on the first when strict).</summary>
    public void ReportAll(JsonParseContext context, CocoRecordKind kind, int index, long? id, long offset)
    {
        if (_items.Count == 0)
        {
            return;
        }

        int line = context.LineAt(offset);
        foreach ((string field, string message) in _items)
        {
            context.Report(new CocoProblem(context.Source, kind, index, id, field, message, line));
        }
    }
}
