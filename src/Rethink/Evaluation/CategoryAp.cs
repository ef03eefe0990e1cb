namespace Rethink.Evaluation;

/// <summary>A category's AP at IoU .50:.95, all areas, 100 detections; -1 when it has no ground truth.</summary>
public sealed record CategoryAp(long CategoryId, string Name, double AveragePrecision);
