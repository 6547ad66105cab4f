using System.Text;

namespace DataMover.Bench;

/// <summary>The bench's report: one markdown table (readable as is on a terminal) and a note line under it.</summary>
internal sealed class ResultTable
{
    private static readonly string[] Header = ["Figure", "Measured", "Goal", "Met", "Limited by"];

    private readonly List<ResultRow> _rows = [];

    public IReadOnlyList<ResultRow> Rows => _rows;

    public void Add(ResultRow row) => _rows.Add(row);

    public string Render(string note)
    {
        var cells = _rows.Select(r => new[] { r.Figure, r.Measured, r.Goal, r.MetText, r.LimitedBy }).ToList();
        var widths = Header.Select((h, i) => cells.Select(c => c[i].Length).Append(h.Length).Max()).ToArray();
        var text = new StringBuilder();
        void Line(IReadOnlyList<string> row) =>
            text.Append("| ").AppendJoin(" | ", row.Select((c, i) => c.PadRight(widths[i]))).Append(" |\n");
        Line(Header);
        Line(widths.Select(w => new string('-', w)).ToArray());
        foreach (var row in cells)
        {
            Line(row);
        }

        return text.Append('\n').Append(note).Append('\n').ToString();
    }
}
