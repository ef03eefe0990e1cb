namespace Rethink.Evaluation;

/// <summary>An object-size bucket of COCOeval: objects with Min &lt;= area &lt;= Max (in square pixels).</summary>
public sealed record AreaRange(string Label, double Min, double Max);
