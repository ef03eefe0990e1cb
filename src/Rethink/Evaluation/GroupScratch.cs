using Rethink.Data.Coco;
using Rethink.Data.Masks;

namespace Rethink.Evaluation;

/// <summary>Per-thread temporary arrays for <see cref="GroupEvaluator"/>, grown on demand and reused.</summary>
internal sealed class GroupScratch
{
    public int[] Detections { get; private set; } = new int[128];

    public double[] DtArea { get; private set; } = new double[128];

    public double[] Ious { get; private set; } = new double[1024];

    public bool[] GtIgnore { get; private set; } = new bool[16];

    public bool[] GtCrowd { get; private set; } = new bool[16];

    public double[] GtArea { get; private set; } = new double[16];

    public long[] GtId { get; private set; } = new long[16];

    public CocoBox[] GtBoxes { get; private set; } = new CocoBox[16];

    public Rle[] GtMasks { get; private set; } = new Rle[16];

    public MaskFacts[] GtFacts { get; private set; } = new MaskFacts[16];

    public void Ensure(int groundTruths, int detections)
    {
        if (Detections.Length < detections)
        {
            Detections = new int[detections];
            DtArea = new double[detections];
        }

        if (GtIgnore.Length < groundTruths)
        {
            GtIgnore = new bool[groundTruths];
            GtCrowd = new bool[groundTruths];
            GtArea = new double[groundTruths];
            GtId = new long[groundTruths];
            GtBoxes = new CocoBox[groundTruths];
            GtMasks = new Rle[groundTruths];
            GtFacts = new MaskFacts[groundTruths];
        }

        if (Ious.Length < (long)groundTruths * detections)
        {
            Ious = new double[groundTruths * detections];
        }
    }
}
