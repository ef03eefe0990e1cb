using System.Text.Json;

namespace Rethink.Data.Coco;

/// <summary>Writes datasets and results as COCO JSON, with the field names and layout pycocotools expects.</summary>
internal static class CocoJsonWriter
{
    public static void WriteDataset(Utf8JsonWriter w, CocoDataset dataset)
    {
        w.WriteStartObject();
        if (dataset.Info is CocoInfo info)
        {
            w.WriteStartObject("info");
            WriteOptional(w, "description", info.Description);
            WriteOptional(w, "url", info.Url);
            WriteOptional(w, "version", info.Version);
            if (info.Year is int year)
            {
                w.WriteNumber("year", year);
            }

            WriteOptional(w, "contributor", info.Contributor);
            WriteOptional(w, "date_created", info.DateCreated);
            w.WriteEndObject();
        }

        if (dataset.Licenses is { } licenses)
        {
            w.WriteStartArray("licenses");
            foreach (CocoLicense license in licenses)
            {
                w.WriteStartObject();
                w.WriteNumber("id", license.Id);
                w.WriteString("name", license.Name);
                WriteOptional(w, "url", license.Url);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        w.WriteStartArray("images");
        foreach (CocoImage image in dataset.Images)
        {
            w.WriteStartObject();
            w.WriteNumber("id", image.Id);
            w.WriteString("file_name", image.FileName);
            w.WriteNumber("width", image.Width);
            w.WriteNumber("height", image.Height);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("annotations");
        foreach (CocoAnnotation a in dataset.Annotations)
        {
            WriteAnnotation(w, a);
        }

        w.WriteEndArray();
        w.WriteStartArray("categories");
        foreach (CocoCategory c in dataset.Categories)
        {
            WriteCategory(w, c);
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    public static void WriteResults(Utf8JsonWriter w, IReadOnlyList<CocoDetection> detections)
    {
        w.WriteStartArray();
        foreach (CocoDetection d in detections)
        {
            w.WriteStartObject();
            w.WriteNumber("image_id", d.ImageId);
            w.WriteNumber("category_id", d.CategoryId);
            if (d.Bbox is CocoBox box)
            {
                WriteBox(w, box);
            }

            if (d.Segmentation is not null)
            {
                WriteSegmentation(w, d.Segmentation);
            }

            if (d.Keypoints is not null)
            {
                WriteNumbers(w, "keypoints", d.Keypoints);
            }

            w.WriteNumber("score", d.Score);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    private static void WriteAnnotation(Utf8JsonWriter w, CocoAnnotation a)
    {
        w.WriteStartObject();
        w.WriteNumber("id", a.Id);
        w.WriteNumber("image_id", a.ImageId);
        w.WriteNumber("category_id", a.CategoryId);
        WriteBox(w, a.Bbox);
        w.WriteNumber("area", a.Area);
        w.WriteNumber("iscrowd", a.IsCrowd ? 1 : 0);
        if (a.Segmentation is not null)
        {
            WriteSegmentation(w, a.Segmentation);
        }

        if (a.Keypoints is not null)
        {
            WriteNumbers(w, "keypoints", a.Keypoints);
        }

        if (a.NumKeypoints is int numKeypoints)
        {
            w.WriteNumber("num_keypoints", numKeypoints);
        }

        if (a.Ignore is bool ignore)
        {
            w.WriteNumber("ignore", ignore ? 1 : 0);
        }

        w.WriteEndObject();
    }

    private static void WriteCategory(Utf8JsonWriter w, CocoCategory c)
    {
        w.WriteStartObject();
        w.WriteNumber("id", c.Id);
        w.WriteString("name", c.Name);
        w.WriteString("supercategory", c.Supercategory);
        if (c.Keypoints is not null)
        {
            w.WriteStartArray("keypoints");
            foreach (string name in c.Keypoints)
            {
                w.WriteStringValue(name);
            }

            w.WriteEndArray();
        }

        if (c.Skeleton is not null)
        {
            w.WriteStartArray("skeleton");
            foreach (KeypointLink link in c.Skeleton)
            {
                w.WriteStartArray();
                w.WriteNumberValue(link.From);
                w.WriteNumberValue(link.To);
                w.WriteEndArray();
            }

            w.WriteEndArray();
        }

        w.WriteEndObject();
    }

    private static void WriteBox(Utf8JsonWriter w, CocoBox box)
    {
        w.WriteStartArray("bbox");
        w.WriteNumberValue(box.X);
        w.WriteNumberValue(box.Y);
        w.WriteNumberValue(box.Width);
        w.WriteNumberValue(box.Height);
        w.WriteEndArray();
    }

    private static void WriteSegmentation(Utf8JsonWriter w, CocoSegmentation segmentation)
    {
        switch (segmentation)
        {
            case PolygonSegmentation p:
                w.WriteStartArray("segmentation");
                foreach (IReadOnlyList<double> polygon in p.Polygons)
                {
                    WriteNumbers(w, null, polygon);
                }

                w.WriteEndArray();
                break;
            case UncompressedRleSegmentation u:
                w.WriteStartObject("segmentation");
                WriteSize(w, u.Height, u.Width);
                w.WriteStartArray("counts");
                foreach (uint c in u.Counts)
                {
                    w.WriteNumberValue(c);
                }

                w.WriteEndArray();
                w.WriteEndObject();
                break;
            case CompressedRleSegmentation c:
                w.WriteStartObject("segmentation");
                WriteSize(w, c.Height, c.Width);
                w.WriteString("counts", c.Counts);
                w.WriteEndObject();
                break;
        }
    }

    private static void WriteSize(Utf8JsonWriter w, int height, int width)
    {
        w.WriteStartArray("size");
        w.WriteNumberValue(height);
        w.WriteNumberValue(width);
        w.WriteEndArray();
    }

    private static void WriteNumbers(Utf8JsonWriter w, string? name, IReadOnlyList<double> values)
    {
        if (name is null)
        {
            w.WriteStartArray();
        }
        else
        {
            w.WriteStartArray(name);
        }

        foreach (double v in values)
        {
            w.WriteNumberValue(v);
        }

        w.WriteEndArray();
    }

    private static void WriteOptional(Utf8JsonWriter w, string name, string? value)
    {
        if (value is not null)
        {
            w.WriteString(name, value);
        }
    }
}
