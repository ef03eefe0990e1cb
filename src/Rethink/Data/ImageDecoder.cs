using SkiaSharp;

namespace Rethink.Data;

/// <summary>Decodes image files (PNG, JPEG, WebP, ...) with SkiaSharp into RGB bytes; errors name the file.</summary>
public static class ImageDecoder
{
    public static DecodedImage Decode(string path)
    {
        if (!File.Exists(path)) throw new DataException(path, null, null, "the image file does not exist");
        using var bitmap = SKBitmap.Decode(path)
            ?? throw new DataException(path, null, null, "the file is not an image SkiaSharp can decode (corrupt or unsupported format)");
        return FromBitmap(bitmap);
    }

    public static DecodedImage Decode(byte[] bytes, string nameForErrors)
    {
        using var bitmap = SKBitmap.Decode(bytes)
            ?? throw new DataException(nameForErrors, null, null, "the bytes are not an image SkiaSharp can decode");
        return FromBitmap(bitmap);
    }

    static DecodedImage FromBitmap(SKBitmap source)
    {
        using var rgba = source.ColorType == SKColorType.Rgba8888 && source.AlphaType != SKAlphaType.Unpremul
            ? source.Copy()
            : source.Copy(SKColorType.Rgba8888);
        int w = rgba.Width, h = rgba.Height, stride = rgba.RowBytes;
        var px = rgba.GetPixelSpan();
        var rgb = new byte[w * h * 3];
        for (int y = 0; y < h; y++)
        {
            var row = px.Slice(y * stride, w * 4);
            for (int x = 0; x < w; x++)
            {
                int o = (y * w + x) * 3;
                rgb[o] = row[4 * x]; rgb[o + 1] = row[4 * x + 1]; rgb[o + 2] = row[4 * x + 2];
            }
        }
        return new DecodedImage(w, h, rgb);
    }

    /// <summary>Writes RGB bytes as a PNG file (atomically: a temporary file, then a rename).</summary>
    public static void SavePng(DecodedImage image, string path)
    {
        using var bmp = new SKBitmap(new SKImageInfo(image.Width, image.Height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        var px = new byte[image.Width * image.Height * 4];
        for (int i = 0, n = image.Width * image.Height; i < n; i++)
        {
            px[4 * i] = image.Rgb[3 * i]; px[4 * i + 1] = image.Rgb[3 * i + 1]; px[4 * i + 2] = image.Rgb[3 * i + 2]; px[4 * i + 3] = 255;
        }
        System.Runtime.InteropServices.Marshal.Copy(px, 0, bmp.GetPixels(), px.Length);
        using var data = bmp.Encode(SKEncodedImageFormat.Png, 100);
        string tmp = path + ".tmp";
        using (var f = File.Create(tmp)) data.SaveTo(f);
        File.Move(tmp, path, overwrite: true);
    }
}
