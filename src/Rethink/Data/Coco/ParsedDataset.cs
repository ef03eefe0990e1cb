namespace Rethink.Data.Coco;

/// <summary>Records as parsed, before references between them are checked.</summary>
internal sealed class ParsedDataset
{
    public List<Located<CocoImage>> Images { get; } = [];

    public List<Located<CocoAnnotation>> Annotations { get; } = [];

    public List<Located<CocoCategory>> Categories { get; } = [];

    public List<CocoLicense>? Licenses { get; set; }

    public CocoInfo? Info { get; set; }

    public int SkippedImages { get; set; }

    public int SkippedAnnotations { get; set; }

    public int SkippedCategories { get; set; }
}
