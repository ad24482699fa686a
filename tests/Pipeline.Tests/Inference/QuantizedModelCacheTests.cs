using Pipeline.Inference;

namespace Pipeline.Tests.Inference;

public sealed class QuantizedModelCacheTests
{
    private const string Key = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    [Fact]
    public async Task For_WritableModelFolder_WritesAndFindsBesideTheModel()
    {
        using var work = new TempFolder();
        var onnx = work.Write(Path.Combine("models", "resnet18.onnx"), [1]);

        var cache = QuantizedModelCache.For(onnx, Environment(("XDG_CACHE_HOME", work.Combine("xdg"))));
        var written = await cache.WriteAsync(Key, [1, 2, 3], CancellationToken.None);

        Assert.Equal(work.Combine("models", "resnet18.int8-0123456789abcdef.onnx"), written);
        Assert.Equal(written, cache.Find(Key));
        Assert.Null(cache.Find(Key.Replace('0', 'f')));
        Assert.False(Directory.Exists(work.Combine("xdg")));
    }

    [Fact]
    public async Task For_CacheDirectoryVariable_WritesThereAndStillFindsGraphsBesideTheModel()
    {
        using var work = new TempFolder();
        var onnx = work.Write(Path.Combine("models", "resnet18.onnx"), [1]);
        var shipped = work.Write(Path.Combine("models", "resnet18.int8-fedcba9876543210.onnx"), [4]);

        var cache = QuantizedModelCache.For(onnx, Environment((QuantizedModelCache.DirectoryVariable, work.Combine("cache"))));
        var written = await cache.WriteAsync(Key, [1, 2, 3], CancellationToken.None);

        Assert.Equal(work.Combine("cache", "resnet18.int8-0123456789abcdef.onnx"), written);
        Assert.Equal(shipped, cache.Find("fedcba9876543210" + Key[16..]));
        Assert.Equal([work.Combine("models"), work.Combine("cache")], cache.Directories);
    }

    /// <summary>As in the container image: the models folder is another user's, here a read-only mount, which root cannot write either.</summary>
    [RootFact]
    public async Task For_ReadOnlyModelFolder_WritesUnderXdgCacheHomeAndFindsWhatTheFolderShips()
    {
        using var work = new TempFolder();
        var models = Directory.CreateDirectory(work.Combine("models")).FullName;
        RootFactAttribute.Mount(models, "1m");
        try
        {
            var onnx = Path.Combine(models, "resnet18.onnx");
            await File.WriteAllBytesAsync(onnx, [1]);
            var shipped = Path.Combine(models, "resnet18.int8-fedcba9876543210.onnx");
            await File.WriteAllBytesAsync(shipped, [4]);
            RootFactAttribute.MakeReadOnly(models);

            var cache = QuantizedModelCache.For(onnx, Environment(("XDG_CACHE_HOME", work.Combine("xdg"))));
            var written = await cache.WriteAsync(Key, [1, 2, 3], CancellationToken.None);

            Assert.Equal(work.Combine("xdg", "pipeline", "resnet18.int8-0123456789abcdef.onnx"), written);
            Assert.Contains("is not writable", cache.Reason, StringComparison.Ordinal);
            Assert.Equal(written, cache.Find(Key));
            Assert.Equal(shipped, cache.Find("fedcba9876543210" + Key[16..]));
            Assert.Equal(["resnet18.int8-fedcba9876543210.onnx", "resnet18.onnx"], Directory.GetFiles(models).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        }
        finally
        {
            RootFactAttribute.Unmount(models);
        }
    }

    private static Func<string, string?> Environment(params (string Name, string Value)[] variables) =>
        name => variables.FirstOrDefault(v => v.Name == name).Value;
}
