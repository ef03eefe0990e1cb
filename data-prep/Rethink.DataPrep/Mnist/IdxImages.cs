using System.IO.Compression;
using Rethink.Data;
using Rethink.DataPrep.Common;

namespace Rethink.DataPrep.Mnist;

/// <summary>The two splits of an MNIST-style dataset.</summary>
public enum MnistSplit { Train, Test }

/// <summary>
/// Gray images with labels, as MNIST-style idx files hold them (magic 0x00000803 / 0x00000801, big-endian sizes, one
/// byte per pixel). Files may be raw or gzip-compressed (.gz); checksums are of the raw idx bytes, so a re-compressed
/// copy still passes.
/// </summary>
public sealed class IdxImages
{
    IdxImages(string name, int count, int rows, int cols, byte[] pixels, byte[] labels)
    {
        Name = name; Count = count; Rows = rows; Cols = cols; Pixels = pixels; Labels = labels;
    }

    public string Name { get; }
    public int Count { get; }
    public int Rows { get; }
    public int Cols { get; }
    /// <summary>All images, row-major, <see cref="Rows"/> x <see cref="Cols"/> bytes each (0 = background, 255 = ink).</summary>
    public byte[] Pixels { get; }
    public byte[] Labels { get; }

    public ReadOnlySpan<byte> Image(int index) => Pixels.AsSpan(index * Rows * Cols, Rows * Cols);
    public int Label(int index) => Labels[index];

    /// <summary>Reads, checks (SHA-256 of the raw idx bytes, then the headers) and parses an image file and its label file.</summary>
    public static IdxImages Load(string name, string imagesPath, string labelsPath, string imagesSha256, string labelsSha256, string origin)
    {
        var images = ReadRaw(imagesPath);
        Checksums.Verify(imagesPath, images, imagesSha256, origin);
        var labels = ReadRaw(labelsPath);
        Checksums.Verify(labelsPath, labels, labelsSha256, origin);
        var imageDims = Header(imagesPath, images, 3);
        var labelDims = Header(labelsPath, labels, 1);
        if (imageDims[0] != labelDims[0])
            throw new DataException(labelsPath, null, null, $"{labelDims[0]} labels for {imageDims[0]} images in {imagesPath}");
        int n = imageDims[0], rows = imageDims[1], cols = imageDims[2];
        var pixels = images.AsSpan(16, n * rows * cols).ToArray();
        var lab = labels.AsSpan(8, n).ToArray();
        return new IdxImages(name, n, rows, cols, pixels, lab);
    }

    /// <summary>The file's idx bytes (gunzipped when the name ends in .gz); errors name the file.</summary>
    public static byte[] ReadRaw(string path)
    {
        if (!File.Exists(path)) throw new DataException(path, null, null, "the file does not exist");
        if (!path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)) return File.ReadAllBytes(path);
        try
        {
            using var gz = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
            using var ms = new MemoryStream();
            gz.CopyTo(ms);
            return ms.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw new DataException(path, null, null, $"not a valid gzip file ({e.Message}): the file is corrupt; reinstall its package", e);
        }
    }

    static int[] Header(string path, byte[] bytes, int rank)
    {
        int headerSize = 4 + 4 * rank;
        if (bytes.Length < headerSize || bytes[0] != 0 || bytes[1] != 0 || bytes[2] != 0x08 || bytes[3] != rank)
            throw new DataException(path, null, "magic", $"not an idx file of unsigned bytes with {rank} dimensions");
        var dims = new int[rank];
        for (int d = 0; d < rank; d++)
            dims[d] = (bytes[4 + 4 * d] << 24) | (bytes[5 + 4 * d] << 16) | (bytes[6 + 4 * d] << 8) | bytes[7 + 4 * d];
        long expected = headerSize + dims.Aggregate(1L, (a, b) => a * b);
        if (dims.Any(v => v <= 0) || bytes.Length != expected)
            throw new DataException(path, null, "size", $"the header says [{string.Join(", ", dims)}] ({expected} bytes) but the file has {bytes.Length}");
        return dims;
    }
}
