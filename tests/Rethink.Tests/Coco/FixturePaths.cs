namespace Rethink.Tests.Coco;

/// <summary>Locates the reference fixtures copied next to the test assembly.</summary>
internal static class FixturePaths
{
    public static string Root => Path.Combine(AppContext.BaseDirectory, "Fixtures");

    public static string Of(params string[] parts) => Path.Combine([Root, .. parts]);
}
