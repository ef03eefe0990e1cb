namespace Rethink.Data.Coco;

/// <summary>
/// Lookups over a dataset: images, categories and annotations by id, annotations per image (in file order),
/// and the images each category appears in. Build once and share; it is read-only.
/// </summary>
public sealed class CocoIndex
{
    private static readonly IReadOnlyList<CocoAnnotation> NoAnnotations = [];
    private static readonly IReadOnlyList<long> NoIds = [];
    private readonly Dictionary<long, CocoImage> _images;
    private readonly Dictionary<long, CocoCategory> _categories;
    private readonly Dictionary<long, CocoAnnotation> _annotations;
    private readonly Dictionary<long, List<CocoAnnotation>> _annotationsByImage;
    private readonly Dictionary<long, List<long>> _imagesByCategory;

    public CocoIndex(CocoDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        Dataset = dataset;
        _images = new Dictionary<long, CocoImage>(dataset.Images.Count);
        foreach (CocoImage image in dataset.Images)
        {
            _images.TryAdd(image.Id, image);
        }

        _categories = new Dictionary<long, CocoCategory>(dataset.Categories.Count);
        foreach (CocoCategory category in dataset.Categories)
        {
            _categories.TryAdd(category.Id, category);
        }

        _annotations = new Dictionary<long, CocoAnnotation>(dataset.Annotations.Count);
        _annotationsByImage = [];
        var imagesByCategory = new Dictionary<long, SortedSet<long>>();
        foreach (CocoAnnotation a in dataset.Annotations)
        {
            _annotations.TryAdd(a.Id, a);
            if (!_annotationsByImage.TryGetValue(a.ImageId, out List<CocoAnnotation>? list))
            {
                _annotationsByImage[a.ImageId] = list = [];
            }

            list.Add(a);
            if (!imagesByCategory.TryGetValue(a.CategoryId, out SortedSet<long>? images))
            {
                imagesByCategory[a.CategoryId] = images = [];
            }

            images.Add(a.ImageId);
        }

        _imagesByCategory = imagesByCategory.ToDictionary(p => p.Key, p => p.Value.ToList());
        ImageIds = _images.Keys.Order().ToArray();
        CategoryIds = _categories.Keys.Order().ToArray();
    }

    public CocoDataset Dataset { get; }

    /// <summary>Image ids in ascending order (the order COCOeval walks them).</summary>
    public IReadOnlyList<long> ImageIds { get; }

    /// <summary>Category ids in ascending order.</summary>
    public IReadOnlyList<long> CategoryIds { get; }

    public CocoImage? FindImage(long imageId) => _images.GetValueOrDefault(imageId);

    public CocoCategory? FindCategory(long categoryId) => _categories.GetValueOrDefault(categoryId);

    public CocoAnnotation? FindAnnotation(long annotationId) => _annotations.GetValueOrDefault(annotationId);

    /// <summary>The category's name, or its id as text when unknown.</summary>
    public string CategoryName(long categoryId) =>
        _categories.TryGetValue(categoryId, out CocoCategory? c) ? c.Name : categoryId.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Annotations of an image in file order, optionally only those of one category.</summary>
    public IReadOnlyList<CocoAnnotation> AnnotationsOf(long imageId, long? categoryId = null)
    {
        if (!_annotationsByImage.TryGetValue(imageId, out List<CocoAnnotation>? list))
        {
            return NoAnnotations;
        }

        return categoryId is long c ? list.Where(a => a.CategoryId == c).ToArray() : list;
    }

    /// <summary>Ids of the images with at least one annotation of the category, ascending.</summary>
    public IReadOnlyList<long> ImagesWithCategory(long categoryId) =>
        _imagesByCategory.TryGetValue(categoryId, out List<long>? ids) ? ids : NoIds;
}
