using Spectre.Console;
using Spectre.Console.Rendering;

namespace Lifeboat.Cli.Output;

/// <summary>
/// A progress column that shows a byte-counted task as its byte column does, and a task counted in items
/// (tagged <see cref="ItemsTag"/>) as "12/41 items", or not at all where bytes make no sense (a rate).
/// </summary>
internal sealed class ItemAwareColumn(ProgressColumn bytes, bool showCount) : ProgressColumn
{
    /// <summary>The tag that marks a task counted in items.</summary>
    public static readonly object ItemsTag = new();

    /// <inheritdoc />
    protected override bool NoWrap => true;

    /// <inheritdoc />
    public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime)
    {
        if (!ReferenceEquals(task.Tag, ItemsTag))
            return bytes.Render(options, task, deltaTime);
        return showCount ? new Text(Count(task.Value, task.MaxValue)) : Text.Empty;
    }

    /// <summary>"12/41 items".</summary>
    internal static string Count(double done, double total) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{done:0}/{total:0} items");
}
