namespace Rethink.Evaluation;

/// <summary>
/// PASCAL VOC evaluation settings. By default AP is the area under the interpolated PR curve over all recall
/// points (VOC2010 and later); <see cref="UseVoc07ElevenPointMetric"/> selects VOC2007's 11-point average.
/// Ground truths flagged "ignore" (VOC's "difficult") and, when <see cref="CrowdIsDifficult"/>, crowds are neither
/// required nor penalised.
/// </summary>
public sealed record VocOptions(
    double IouThreshold = 0.5,
    bool UseVoc07ElevenPointMetric = false,
    bool CrowdIsDifficult = true);
