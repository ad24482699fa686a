using System.Text;

namespace Pipeline.Featurization;

/// <summary>
/// A terminal shared by a live progress bar and everything else written to it (log lines, and
/// through <see cref="Share"/> standard output when both go to the same screen). The bar is redrawn
/// in place with a carriage return, so text written while it is shown would land on the bar's line;
/// here such text first blanks the bar, and the bar is drawn again below it once the text ends its
/// line. One lock orders the bar and the text, whichever thread writes.
/// </summary>
internal sealed class ProgressTerminal : TextWriter
{
    private readonly TextWriter _screen;
    private readonly Lock _gate = new();

    /// <summary>The latest bar, drawn or waiting for a line to end; null when no bar is active.</summary>
    private string? _bar;

    /// <summary>Whether the bar is on the screen now, on the cursor's line.</summary>
    private bool _barShown;

    /// <summary>Columns the bar occupies on screen: what must be blanked, or padded when a shorter bar replaces it.</summary>
    private int _barWidth;

    /// <summary>Whether text has been written without ending its line; the bar waits until it does.</summary>
    private bool _lineOpen;

    /// <param name="screen">Where the bar and this writer's text go: standard error of a terminal.</param>
    public ProgressTerminal(TextWriter screen)
    {
        ArgumentNullException.ThrowIfNull(screen);
        _screen = screen;
    }

    public override Encoding Encoding => _screen.Encoding;

    /// <summary>
    /// A writer for another stream that shows on the same screen (standard output of the same
    /// terminal): its text blanks and redraws this bar as this writer's own text does.
    /// </summary>
    public TextWriter Share(TextWriter other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return new SharedWriter(this, other);
    }

    public override void Write(char value) => WriteThrough(_screen, value.ToString());

    public override void Write(string? value) => WriteThrough(_screen, value);

    public override void Write(char[] buffer, int index, int count) => WriteThrough(_screen, new string(buffer, index, count));

    public override void WriteLine(string? value) => WriteThrough(_screen, value + NewLine);

    public override void Flush()
    {
        lock (_gate)
        {
            _screen.Flush();
        }
    }

    /// <summary>Draws <paramref name="bar"/> in place of the previous one, or keeps it until the open line ends.</summary>
    internal void ShowBar(string bar)
    {
        lock (_gate)
        {
            _bar = bar;
            if (!_lineOpen)
            {
                Draw();
            }
        }
    }

    /// <summary>Leaves the bar shown on its own line and stops redrawing it.</summary>
    internal void EndBar()
    {
        lock (_gate)
        {
            if (_barShown)
            {
                _screen.Write(NewLine);
                _screen.Flush();
            }

            _bar = null;
            _barShown = false;
            _barWidth = 0;
        }
    }

    private void WriteThrough(TextWriter target, string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return;
        }

        lock (_gate)
        {
            if (_barShown)
            {
                _screen.Write('\r' + new string(' ', _barWidth) + '\r');
                _screen.Flush();
                _barShown = false;
                _barWidth = 0;
            }

            target.Write(text);
            _lineOpen = text[^1] != '\n';
            if (_bar is not null)
            {
                // The other stream may be buffered: its text must be on screen before the bar is drawn under it.
                target.Flush();
                if (!_lineOpen)
                {
                    Draw();
                }
            }
        }
    }

    private void Draw()
    {
        var bar = _bar!;
        _screen.Write('\r' + bar + new string(' ', Math.Max(0, _barWidth - bar.Length)));
        _screen.Flush();
        _barWidth = Math.Max(_barWidth, bar.Length);
        _barShown = true;
    }

    /// <summary>Another stream on the same screen, ordered with the bar by its owner's lock.</summary>
    private sealed class SharedWriter(ProgressTerminal owner, TextWriter target) : TextWriter
    {
        public override Encoding Encoding => target.Encoding;

        public override void Write(char value) => owner.WriteThrough(target, value.ToString());

        public override void Write(string? value) => owner.WriteThrough(target, value);

        public override void Write(char[] buffer, int index, int count) => owner.WriteThrough(target, new string(buffer, index, count));

        public override void WriteLine(string? value) => owner.WriteThrough(target, value + NewLine);

        public override void Flush() => target.Flush();
    }
}
