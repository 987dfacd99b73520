using Lifeboat.Storage;

namespace Lifeboat.Tests.Storage;

/// <summary>A repository path that is not a directory is named for what it is.</summary>
public sealed class FileRepositoryPathTests
{
    [Fact]
    public async Task Defect_4_a_repository_url_pointing_at_a_file_says_it_is_a_file_not_that_the_directory_does_not_exist()
    {
        var file = Path.GetTempFileName();
        try
        {
            await using var store = new FileObjectStore(file);

            var error = await Assert.ThrowsAsync<LifeboatException>(() => store.StatAsync("config", TestContext.Current.CancellationToken));

            Assert.Equal($"repository path '{file}' is a file, not a repository directory", error.Message);
            Assert.Equal(FailureKind.Usage, error.Kind);
            Assert.True(File.Exists(file));
        }
        finally
        {
            File.Delete(file);
        }
    }
}
