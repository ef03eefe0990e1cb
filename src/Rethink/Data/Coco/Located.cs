namespace Rethink.Data.Coco;

/// <summary>A parsed record with its array index and the byte offset where it starts (for messages).</summary>
internal readonly record struct Located<T>(T Value, int Index, long Offset);
