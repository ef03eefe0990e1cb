namespace Rethink.Tests.DataPrep;

/// <summary>Where the tests keep fetched data: the repository's git-ignored data/cache, shared with `./rethink` run from the root.</summary>
public static class DataPrepPaths
{
    public static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Research.sln"))) return dir.FullName;
        throw new InvalidOperationException($"Research.sln not found above {AppContext.BaseDirectory}");
    }

    public static string Cache => Path.Combine(RepoRoot(), "data", "cache");

    public static string TempDirectory(string prefix) => Directory.CreateTempSubdirectory(prefix).FullName;
}
