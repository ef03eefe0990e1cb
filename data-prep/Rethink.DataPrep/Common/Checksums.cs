using System.Security.Cryptography;
using Rethink.Data;

namespace Rethink.DataPrep.Common;

/// <summary>SHA-256 checks of fetched or cached files; a mismatch names the file and says what to do.</summary>
public static class Checksums
{
    public static string Sha256(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    public static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>
    /// Throws a <see cref="DataException"/> naming <paramref name="path"/> unless <paramref name="content"/> (the file's
    /// bytes, or its decompressed bytes) hashes to <paramref name="expected"/>.
    /// </summary>
    public static void Verify(string path, ReadOnlySpan<byte> content, string expected, string origin)
    {
        string actual = Sha256(content);
        if (!actual.Equals(expected, StringComparison.OrdinalIgnoreCase))
            throw new DataException(path, null, null,
                $"SHA-256 is {actual} but {origin} has {expected}: the file is corrupt or not the expected one; delete it and run again to fetch it anew");
    }

    /// <summary>Like <see cref="Verify(string, ReadOnlySpan{byte}, string, string)"/>, hashing the file as it is on disk.</summary>
    public static void VerifyFile(string path, string expected, string origin)
    {
        if (!File.Exists(path)) throw new DataException(path, null, null, "the file does not exist");
        string actual = Sha256(path);
        if (!actual.Equals(expected, StringComparison.OrdinalIgnoreCase))
            throw new DataException(path, null, null,
                $"SHA-256 is {actual} but {origin} has {expected}: the file is corrupt or not the expected one; delete it and run again to fetch it anew");
    }
}
