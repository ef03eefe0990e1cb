namespace Rethink.Data.Coco;

/// <summary>An image entry: its id, file name and pixel size.</summary>
public sealed record CocoImage(long Id, string FileName, int Width, int Height);
