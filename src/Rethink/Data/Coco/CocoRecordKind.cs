namespace Rethink.Data.Coco;

/// <summary>Which part of a COCO file a problem was found in.</summary>
public enum CocoRecordKind
{
    File,
    Image,
    Annotation,
    Category,
    License,
    Result,
}
