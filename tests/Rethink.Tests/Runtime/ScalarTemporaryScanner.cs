using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using TorchSharp;

namespace Rethink.Tests.Runtime;

/// <summary>
/// Finds temporary TorchSharp Scalars in compiled code by reading method bodies (IL), so that it sees what the C#
/// compiler made of the source: implicit conversions (<c>x * 0.5</c>, <c>clamp_min(0)</c>), operator overloads and
/// TorchSharp methods that make their own (<c>add(Tensor)</c>'s alpha, <c>arange(stop)</c>'s start and step).
/// </summary>
/// <remarks>
/// A Scalar is a temporary when a TorchSharp method returns a new one (conversions, <c>ToScalar</c>, its constructor)
/// and the result is not stored in a local that the method disposes (<c>using var s = x.ToScalar();</c>). A TorchSharp
/// method is unsafe when it makes a temporary itself or calls an unsafe TorchSharp method. Blind spot: virtual calls
/// resolve to the declared method (a module's forward called through nn.Module is not followed), so models are also
/// checked by their modules' runtime types (<see cref="UnsafeForward"/>).
/// </remarks>
internal static class ScalarTemporaryScanner
{
    public sealed record Finding(string Method, string Location, string What)
    {
        public override string ToString() => $"{Location} in {Method}: {What}";
    }

    readonly record struct Instruction(int Offset, OpCode Code, int Operand);

    static readonly OpCode[] OneByte = new OpCode[256], TwoByte = new OpCode[256];
    const BindingFlags All = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
    static readonly Assembly TorchSharpAssembly = typeof(Scalar).Assembly;
    static readonly Lazy<HashSet<(Module, int)>> UnsafeTorchSharp = new(FindUnsafeTorchSharpMethods);

    static ScalarTemporaryScanner()
    {
        foreach (var f in typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static))
        {
            var code = (OpCode)f.GetValue(null)!;
            ushort v = (ushort)code.Value;
            if (v < 0x100) OneByte[v] = code; else TwoByte[v & 0xff] = code;
        }
    }

    /// <summary>Every temporary Scalar in the methods of <paramref name="assembly"/>, except those of the exempt types.</summary>
    public static List<Finding> Scan(Assembly assembly, Func<Type, bool>? exempt = null)
    {
        var findings = new List<Finding>();
        using var pdb = OpenPdb(assembly);
        foreach (var type in LoadableTypes(assembly))
        {
            if (exempt is not null && exempt(type)) continue;
            foreach (var method in Methods(type)) findings.AddRange(Scan(method, pdb));
        }
        return findings;
    }

    /// <summary>The temporary Scalars of one method (no source lines).</summary>
    public static List<Finding> Scan(MethodBase method) => Scan(method, null);

    /// <summary>Whether <paramref name="method"/> (a TorchSharp method) makes a temporary Scalar, itself or through what it calls.</summary>
    public static bool IsUnsafe(MethodBase method) => UnsafeTorchSharp.Value.Contains(Key(method));

    /// <summary>The forward override of a module's runtime type, when it makes a temporary Scalar.</summary>
    public static MethodInfo? UnsafeForward(TorchSharp.torch.nn.Module module)
    {
        for (var t = module.GetType(); t is not null && t != typeof(object); t = t.BaseType)
        {
            var forward = t.GetMethods(All).FirstOrDefault(m => m.Name == "forward" && m.GetMethodBody() is not null);
            if (forward is null) continue;
            if (t.Assembly == TorchSharpAssembly) return IsUnsafe(forward) ? forward : null;
            return Scan(forward).Count > 0 ? forward : null;
        }
        return null;
    }

    static List<Finding> Scan(MethodBase method, MetadataReaderProvider? pdb)
    {
        var findings = new List<Finding>();
        var code = Decode(method);
        if (code.Count == 0) return findings;
        string name = $"{method.DeclaringType?.FullName}.{method.Name}";
        for (int i = 0; i < code.Count; i++)
        {
            var callee = Callee(method, code[i]);
            if (callee is null) continue;
            if (CreatesScalar(callee))
            {
                if (!StoredAndDisposed(code, i, method))
                    findings.Add(new Finding(name, Location(method, code[i].Offset, pdb), $"temporary Scalar from {Describe(callee)}"));
            }
            else if (callee.Module.Assembly == TorchSharpAssembly && IsUnsafe(callee))
                findings.Add(new Finding(name, Location(method, code[i].Offset, pdb), $"{Describe(callee)} makes a temporary Scalar itself"));
        }
        return findings;
    }

    /// <summary>A TorchSharp call that returns a new Scalar: conversions, ToScalar and the constructor.</summary>
    static bool CreatesScalar(MethodBase callee) =>
        callee.Module.Assembly == TorchSharpAssembly &&
        (callee is MethodInfo mi ? mi.ReturnType == typeof(Scalar) : callee.DeclaringType == typeof(Scalar));

    static bool IsDispose(MethodBase callee) =>
        callee.Name == "Dispose" && callee.GetParameters().Length == 0 &&
        (callee.DeclaringType == typeof(IDisposable) || callee.DeclaringType == typeof(Scalar));

    /// <summary>The created Scalar goes straight into a local that the method later loads and disposes.</summary>
    static bool StoredAndDisposed(List<Instruction> code, int call, MethodBase method)
    {
        if (call + 1 >= code.Count || StoredLocal(code[call + 1]) is not int local) return false;
        for (int j = 0; j + 1 < code.Count; j++)
            if (LoadedLocal(code[j]) == local && Callee(method, code[j + 1]) is { } c && IsDispose(c)) return true;
        return false;
    }

    static int? StoredLocal(Instruction ins)
    {
        var c = ins.Code;
        if (c == OpCodes.Stloc_0) return 0;
        if (c == OpCodes.Stloc_1) return 1;
        if (c == OpCodes.Stloc_2) return 2;
        if (c == OpCodes.Stloc_3) return 3;
        if (c == OpCodes.Stloc_S || c == OpCodes.Stloc) return ins.Operand;
        return null;
    }

    static int? LoadedLocal(Instruction ins)
    {
        var c = ins.Code;
        if (c == OpCodes.Ldloc_0) return 0;
        if (c == OpCodes.Ldloc_1) return 1;
        if (c == OpCodes.Ldloc_2) return 2;
        if (c == OpCodes.Ldloc_3) return 3;
        if (c == OpCodes.Ldloc_S || c == OpCodes.Ldloc) return ins.Operand;
        return null;
    }

    static HashSet<(Module, int)> FindUnsafeTorchSharpMethods()
    {
        var calls = new Dictionary<(Module, int), List<MethodBase>>();
        var direct = new HashSet<(Module, int)>();
        foreach (var type in LoadableTypes(TorchSharpAssembly))
            foreach (var method in Methods(type))
            {
                var code = Decode(method);
                var callees = new List<MethodBase>();
                for (int i = 0; i < code.Count; i++)
                {
                    if (Callee(method, code[i]) is not { } callee) continue;
                    callees.Add(callee);
                    // The conversions themselves are the creation, judged at their call sites.
                    if (CreatesScalar(callee) && !CreatesScalar(method) && !StoredAndDisposed(code, i, method)) direct.Add(Key(method));
                }
                calls[Key(method)] = callees;
            }
        var result = new HashSet<(Module, int)>(direct);
        for (bool changed = true; changed;)
        {
            changed = false;
            foreach (var (key, callees) in calls)
                if (!result.Contains(key) && callees.Any(c => !CreatesScalar(c) && result.Contains(Key(c))))
                    changed = result.Add(key) || changed;
        }
        return result;
    }

    static (Module, int) Key(MethodBase m) => (m.Module, m.MetadataToken);

    static IEnumerable<Type> LoadableTypes(Assembly assembly)
    {
        try { return assembly.GetTypes(); }
        catch (ReflectionTypeLoadException e) { return e.Types.Where(t => t is not null)!; }
    }

    static IEnumerable<MethodBase> Methods(Type type)
    {
        MethodBase[] methods, ctors;
        try
        {
            methods = type.GetMethods(All);
            ctors = type.GetConstructors(All);
        }
        catch (Exception e) when (e is TypeLoadException or FileNotFoundException) { return []; }
        return methods.Concat(ctors);
    }

    static List<Instruction> Decode(MethodBase method)
    {
        var result = new List<Instruction>();
        byte[]? il;
        try { il = method.GetMethodBody()?.GetILAsByteArray(); }
        catch (Exception e) when (e is InvalidOperationException or BadImageFormatException or TypeLoadException) { return result; }
        if (il is null) return result;
        int pos = 0;
        while (pos < il.Length)
        {
            int start = pos;
            var code = il[pos] == 0xFE ? TwoByte[il[pos + 1]] : OneByte[il[pos]];
            pos += code.Size;
            int operand = 0, size;
            switch (code.OperandType)
            {
                case OperandType.InlineNone: size = 0; break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                    size = 1; operand = il[pos]; break;
                case OperandType.InlineVar: size = 2; operand = BitConverter.ToUInt16(il, pos); break;
                case OperandType.InlineI8 or OperandType.InlineR: size = 8; break;
                case OperandType.InlineSwitch: size = 4 + 4 * BitConverter.ToInt32(il, pos); break;
                default: size = 4; operand = BitConverter.ToInt32(il, pos); break;
            }
            pos += size;
            result.Add(new Instruction(start, code, operand));
        }
        return result;
    }

    static MethodBase? Callee(MethodBase caller, Instruction ins)
    {
        var c = ins.Code;
        if (c != OpCodes.Call && c != OpCodes.Callvirt && c != OpCodes.Newobj && c != OpCodes.Ldftn) return null;
        try
        {
            var typeArgs = caller.DeclaringType is { IsGenericType: true } t ? t.GetGenericArguments() : null;
            var methodArgs = caller.IsGenericMethod ? caller.GetGenericArguments() : null;
            return caller.Module.ResolveMethod(ins.Operand, typeArgs, methodArgs);
        }
        catch (Exception e) when (e is ArgumentException or TypeLoadException or FileNotFoundException or MissingMethodException or BadImageFormatException)
        {
            return null;
        }
    }

    static string Describe(MethodBase m) =>
        $"{m.DeclaringType?.Name}.{m.Name}({string.Join(", ", m.GetParameters().Select(p => p.ParameterType.Name))})";

    static MetadataReaderProvider? OpenPdb(Assembly assembly)
    {
        string pdb = Path.ChangeExtension(assembly.Location, ".pdb");
        return File.Exists(pdb) ? MetadataReaderProvider.FromPortablePdbStream(File.OpenRead(pdb)) : null;
    }

    /// <summary>File and line of the sequence point at or before an IL offset, from the portable PDB when there is one.</summary>
    static string Location(MethodBase method, int offset, MetadataReaderProvider? pdb)
    {
        string fallback = $"IL_{offset:x4}";
        if (pdb is null) return fallback;
        var reader = pdb.GetMetadataReader();
        var handle = MetadataTokens.MethodDefinitionHandle(method.MetadataToken);
        string? where = null;
        foreach (var sp in reader.GetMethodDebugInformation(handle.ToDebugInformationHandle()).GetSequencePoints())
        {
            if (sp.Offset > offset) break;
            if (sp.IsHidden) continue;
            where = $"{Path.GetFileName(reader.GetString(reader.GetDocument(sp.Document).Name))}:{sp.StartLine}";
        }
        return where ?? fallback;
    }
}
