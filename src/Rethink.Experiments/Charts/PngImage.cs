using Rethink.Data;
using Rethink.DataPrep.Preview;

namespace Rethink.Experiments.Charts;

/// <summary>A PNG picture to show (samples with masks, a preview): notebooks display it inline, Save writes it.</summary>
public sealed record PngImage(byte[] Bytes, string? Caption = null)
{
    public string ToHtml() =>
        $"<figure style=\"margin:0\"><img src=\"data:image/png;base64,{Convert.ToBase64String(Bytes)}\" style=\"max-width:100%\"/>" +
        (Caption is null ? "" : $"<figcaption>{System.Net.WebUtility.HtmlEncode(Caption)}</figcaption>") + "</figure>";

    public void Save(string path) => File.WriteAllBytes(path, Bytes);

    /// <summary>Samples of a detection source with masks, boxes and labels drawn (what `rethink data show` writes).</summary>
    public static PngImage Samples(IDetectionSource source, int count = 8, int seed = 0, int columns = 4, int cell = 192) =>
        new(SamplePreview.Render(source, count, seed, columns, cell), $"{Math.Min(count, source.Count)} of {source.Count} images, masks tinted, boxes and labels drawn");
}
