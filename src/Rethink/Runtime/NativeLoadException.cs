namespace Rethink.Runtime;

/// <summary>TorchSharp's native library could not be loaded; <see cref="Exception.Message"/> says why in the system's words.</summary>
public sealed class NativeLoadException(string message, Exception? inner = null) : Exception(message, inner);
