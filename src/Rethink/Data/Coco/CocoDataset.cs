namespace Rethink.Data.Coco;

/// <summary>
/// A COCO instances (or keypoints) file: images, annotations and categories, in file order.
/// <see cref="LoadReport"/> lists what a lenient load skipped.
/// </summary>
public sealed record CocoDataset(
    IReadOnlyList<CocoImage> Images,
    IReadOnlyList<CocoAnnotation> Annotations,
    IReadOnlyList<CocoCategory> Categories,
    CocoInfo? Info = null,
    IReadOnlyList<CocoLicense>? Licenses = null)
{
    /// <summary>Where the data came from (a path or the name given to Parse); used in messages.</summary>
    public string SourceName { get; init; } = "<memory>";

    public CocoLoadReport LoadReport { get; init; } = CocoLoadReport.Clean;

    /// <summary>Writes the dataset as COCO JSON.</summary>
    public void Save(string path) => CocoFile.Save(this, path);
}
