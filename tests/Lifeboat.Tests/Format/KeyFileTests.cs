using Lifeboat.Format;

namespace Lifeboat.Tests.Format;

public sealed class KeyFileTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("lifeboat-keyfile-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private string PathOf(string name) => Path.Combine(directory, name);

    [Fact]
    public void A_new_key_file_holds_32_bytes_readable_only_by_its_owner()
    {
        var path = PathOf("repo.key");

        KeyFile.Create(path);

        Assert.Equal(32, new FileInfo(path).Length);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
    }

    [Fact]
    public void Two_key_files_differ()
    {
        KeyFile.Create(PathOf("a.key"));
        KeyFile.Create(PathOf("b.key"));

        Assert.NotEqual(File.ReadAllBytes(PathOf("a.key")), File.ReadAllBytes(PathOf("b.key")));
    }

    [Fact]
    public void Creating_a_key_file_over_an_existing_file_is_refused_and_leaves_it_untouched()
    {
        var path = PathOf("repo.key");
        File.WriteAllText(path, "precious");

        var error = Assert.Throws<LifeboatException>(() => KeyFile.Create(path));

        Assert.Equal($"key file '{path}' already exists", error.Message);
        Assert.Equal("precious", File.ReadAllText(path));
    }

    [Fact]
    public void Creating_a_key_file_in_a_missing_directory_says_so()
    {
        var error = Assert.Throws<LifeboatException>(() => KeyFile.Create(PathOf("missing/repo.key")));

        Assert.Contains("directory does not exist", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(31)]
    [InlineData(33)]
    [InlineData(44)]
    public void A_key_file_of_the_wrong_size_is_a_usage_error_naming_the_file(int size)
    {
        var path = PathOf("wrong.key");
        File.WriteAllBytes(path, new byte[size]);

        var error = Assert.Throws<LifeboatException>(() => KeySecret.FromKeyFile(path));

        Assert.StartsWith($"key file '{path}' is ", error.Message, StringComparison.Ordinal);
        Assert.Contains("exactly 32 random bytes", error.Message, StringComparison.Ordinal);
        Assert.Equal(FailureKind.Usage, error.Kind);
        Assert.NotNull(error.Hint);
    }

    [Fact]
    public void A_missing_key_file_is_a_usage_error_naming_the_file()
    {
        var error = Assert.Throws<LifeboatException>(() => KeySecret.FromKeyFile(PathOf("absent.key")));

        Assert.Equal($"key file '{PathOf("absent.key")}' does not exist", error.Message);
        Assert.Equal(FailureKind.Usage, error.Kind);
    }
}
