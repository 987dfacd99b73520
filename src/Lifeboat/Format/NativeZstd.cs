using System.Reflection;
using System.Runtime.InteropServices;

namespace Lifeboat.Format;

/// <summary>
/// Finds the native libzstd ZstdNet calls. The host finds the copy ZstdNet ships only where the build
/// laid it out for this very app (the published executable has it beside itself); the CLI run from a
/// test project's output (RID-specific app in a RID-neutral folder) is not such a case, so the bundled
/// copy is also looked for under runtimes/ of the app's folder, and the system's libzstd.so.1 (Debian's
/// libzstd1, multi-threaded) is the last resort.
/// </summary>
internal static class NativeZstd
{
    private const string LibraryName = "libzstd";
    private static int registered;

    /// <summary>Installs the resolver once; call before the first ZstdNet call.</summary>
    public static void EnsureResolvable()
    {
        if (Interlocked.Exchange(ref registered, 1) == 0)
            NativeLibrary.SetDllImportResolver(typeof(ZstdNet.CompressionStream).Assembly, Resolve);
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name != LibraryName)
            return IntPtr.Zero;
        if (NativeLibrary.TryLoad(name, assembly, searchPath, out var handle))
            return handle;
        var architecture = RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
        var bundled = Path.Combine(AppContext.BaseDirectory, "runtimes", $"linux-{architecture}", "native", LibraryName + ".so");
        if (NativeLibrary.TryLoad(bundled, out handle))
            return handle;
        return NativeLibrary.TryLoad("libzstd.so.1", out handle) ? handle : IntPtr.Zero;
    }
}
