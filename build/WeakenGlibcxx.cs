// MSBuild task (compiled by RoslynCodeTaskFactory, see build/NativeFix.targets).
// TorchSharp 0.107's libLibTorchSharp.so asks for GLIBCXX_3.4.32, which Debian 12's libstdc++ (3.4.30) lacks, so the
// loader refuses it. Only `std::ios_base_library_init()` carries that version and nothing binds it, so marking the
// requirement weak (VER_FLG_WEAK in .gnu.version_r) lets the library load. We patch only the copy in the output folder,
// only the versions the system library lacks, and write a marker beside it that `rethink doctor` reports.
#nullable enable
using System;
using System.IO;
using System.Linq;
using System.Text;
using System.Collections.Generic;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

public class WeakenGlibcxx : Task
{
    [Required] public ITaskItem[] Libraries { get; set; } = Array.Empty<ITaskItem>();

    const ushort VerFlgWeak = 0x2;
    const uint ShtGnuVerneed = 0x6ffffffe;

    public override bool Execute()
    {
        if (!System.Runtime.InteropServices.RuntimeInformation.IsOSPlatform(System.Runtime.InteropServices.OSPlatform.Linux)) return true;
        string? libstdcxx = FindSystemLibstdcxx();
        if (libstdcxx == null)
        {
            Log.LogWarning("rethink native fix: no system libstdc++.so.6 found; TorchSharp may not load.");
            return true;
        }
        byte[] sys = File.ReadAllBytes(libstdcxx);
        foreach (var item in Libraries)
        {
            string path = item.ItemSpec;
            if (!File.Exists(path)) continue;
            byte[] so = File.ReadAllBytes(path);
            var weakened = new List<string>();
            foreach (var (flagsOffset, flags, version) in VersionNeeds(so))
            {
                if (!version.StartsWith("GLIBCXX_", StringComparison.Ordinal) && !version.StartsWith("CXXABI_", StringComparison.Ordinal)) continue;
                if (Contains(sys, Encoding.ASCII.GetBytes(version + "\0"))) continue;
                if ((flags & VerFlgWeak) != 0) { weakened.Add(version); continue; }
                BitConverter.GetBytes((ushort)(flags | VerFlgWeak)).CopyTo(so, flagsOffset);
                weakened.Add(version);
            }
            string marker = path + ".rethink-native-fix";
            if (weakened.Count == 0)
            {
                if (File.Exists(marker)) File.Delete(marker);
                continue;
            }
            string tmp = path + ".tmp";
            File.WriteAllBytes(tmp, so);
            File.Delete(path);
            File.Move(tmp, path);
            File.WriteAllText(marker,
                $"weakened {string.Join(",", weakened)} in {Path.GetFileName(path)}: {libstdcxx} lacks it\n");
            Log.LogMessage(MessageImportance.High,
                $"rethink native fix: {Path.GetFileName(path)} requirement {string.Join(",", weakened)} marked weak ({libstdcxx} lacks it)");
        }
        return !Log.HasLoggedErrors;
    }

    static string? FindSystemLibstdcxx()
    {
        string[] dirs = { "/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/lib64", "/usr/lib" };
        return dirs.Select(d => Path.Combine(d, "libstdc++.so.6")).FirstOrDefault(File.Exists);
    }

    static bool Contains(byte[] haystack, byte[] needle)
    {
        for (int i = 0; i + needle.Length <= haystack.Length; i++)
        {
            int j = 0;
            while (j < needle.Length && haystack[i + j] == needle[j]) j++;
            if (j == needle.Length) return true;
        }
        return false;
    }

    // Walks the ELF64 little-endian section headers to SHT_GNU_verneed and yields each vernaux entry.
    static IEnumerable<(int flagsOffset, ushort flags, string version)> VersionNeeds(byte[] d)
    {
        if (d.Length < 64 || d[0] != 0x7f || d[1] != (byte)'E' || d[4] != 2 || d[5] != 1) yield break;
        long shoff = BitConverter.ToInt64(d, 0x28);
        int shentsize = BitConverter.ToUInt16(d, 0x3A), shnum = BitConverter.ToUInt16(d, 0x3C);
        for (int i = 0; i < shnum; i++)
        {
            int sh = checked((int)(shoff + (long)i * shentsize));
            if (BitConverter.ToUInt32(d, sh + 4) != ShtGnuVerneed) continue;
            int offset = checked((int)BitConverter.ToInt64(d, sh + 24));
            int link = (int)BitConverter.ToUInt32(d, sh + 40), count = (int)BitConverter.ToUInt32(d, sh + 44);
            int strtab = checked((int)BitConverter.ToInt64(d, checked((int)(shoff + (long)link * shentsize)) + 24));
            int vn = offset;
            for (int n = 0; n < count; n++)
            {
                int cnt = BitConverter.ToUInt16(d, vn + 2);
                int va = vn + (int)BitConverter.ToUInt32(d, vn + 8);
                for (int a = 0; a < cnt; a++)
                {
                    ushort flags = BitConverter.ToUInt16(d, va + 4);
                    int name = (int)BitConverter.ToUInt32(d, va + 8);
                    int end = Array.IndexOf(d, (byte)0, strtab + name);
                    yield return (va + 4, flags, Encoding.ASCII.GetString(d, strtab + name, end - strtab - name));
                    int next = (int)BitConverter.ToUInt32(d, va + 12);
                    if (next == 0) break;
                    va += next;
                }
                int vnNext = (int)BitConverter.ToUInt32(d, vn + 12);
                if (vnNext == 0) break;
                vn += vnNext;
            }
        }
    }
}
