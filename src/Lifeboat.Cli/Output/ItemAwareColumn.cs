using Spectre.Console;
using Spectre.Console.Rendering;

namespace Lifeboat.Cli.Output;

/// <summary>
/// A progress column that shows a byte-counted task as its byte column does, and a task counted in items
/// (tagged <see cref="ItemsTag"/>) as "12/41 items", or not at all where bytes make no sense (a rate).
/// </summary>
internal sealed class ItemAwareColumn(ProgressColumn bytes, bool showCount) : ProgressColumn
{
    /// <summary>
    /// The tag that marks a task counted in items, with its real total: a task's MaxValue is at least 1, so a
    /// count of no items would otherwise show as "0/1 items".
    /// </summary>
    public sealed record ItemsTag(int Total);

    /// <inheritdoc />
    protected override bool NoWrap => true;

    /// <inheritdoc />
    public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime)
    {
        if (CountOf(task) is not { } count)
            return bytes.Render(options, task, deltaTime);
        return showCount ? new Text(count) : Text.Empty;
    }

    /// <summary>"12/41 items" for a task counted in items; null for one counted in bytes.</summary>
    internal static string? CountOf(ProgressTask task) =>
        task.Tag is ItemsTag items ? Count(Math.Min(task.Value, items.Total), items.Total) : null;

    /// <summary>"12/41 items".</summary>
    internal static string Count(double done, double total) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{done:0}/{total:0} items");
}
