using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace Rethink.Runtime;

/// <summary>
/// Finds native libraries in runtimes/RID/native beside the assembly that asks for them, for hosts that load the
/// project's assemblies without their deps.json (dotnet fsi, the official dotnet-interactive): SkiaSharp's
/// libSkiaSharp, for one. Registered once, by <see cref="TorchRuntime.EnsureLoaded"/>; apps that have a deps.json never need it.
/// </summary>
public static class NativeProbing
{
    static int registered;

    public static void Register()
    {
        if (Interlocked.Exchange(ref registered, 1) == 1) return;
        AssemblyLoadContext.Default.ResolvingUnmanagedDll += Resolve;
        var own = AssemblyLoadContext.GetLoadContext(typeof(NativeProbing).Assembly);
        if (own is not null && own != AssemblyLoadContext.Default) own.ResolvingUnmanagedDll += Resolve;
    }

    /// <summary>
    /// Resolves <paramref name="assembly"/>'s DllImports the same way, first: for hosts where the load-context event
    /// does not fire (the official dotnet-interactive). Ignored when the assembly already has a resolver.
    /// </summary>
    public static void ResolveFor(Assembly assembly)
    {
        Register();
        try { NativeLibrary.SetDllImportResolver(assembly, (name, asm, _) => Resolve(asm, name)); }
        catch (InvalidOperationException) { } // a resolver was set already (by us or the library)
    }

    static IntPtr Resolve(Assembly requester, string name)
    {
        string? dir = Path.GetDirectoryName(requester.Location);
        if (string.IsNullOrEmpty(dir)) return IntPtr.Zero;
        string file = name.EndsWith(".so", StringComparison.Ordinal) || name.Contains(".so.", StringComparison.Ordinal) ? name
            : (name.StartsWith("lib", StringComparison.Ordinal) ? name : "lib" + name) + ".so";
        foreach (var candidate in new[] { Path.Combine(dir, file), Path.Combine(dir, "runtimes", RuntimeInformation.RuntimeIdentifier, "native", file),
                                          Path.Combine(dir, "runtimes", "linux-x64", "native", file) })
            if (File.Exists(candidate) && NativeLibrary.TryLoad(candidate, out var handle)) return handle;
        return IntPtr.Zero;
    }
}
