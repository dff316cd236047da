using TickEngine.Storage.Reading;

namespace TickEngine.Storage.Writing;

/// <summary>
/// Rewrites a sealed segment whose blocks are short (a recorder commits at least once a second, so a quiet
/// symbol leaves blocks of a few rows) into full blocks, for the compression of long-term storage. The rows and
/// their order are unchanged. The new file is written beside the old one, synced, then renamed over it: a crash
/// at any point leaves either the old segment or the new one, both complete.
/// </summary>
public static class SegmentCompactor
{
    public const string TempSuffix = ".compacting";

    /// <summary>True when the segment has more blocks than its rows need.</summary>
    public static bool NeedsCompaction(SegmentReader reader) =>
        reader.Sealed && reader.Problems.Count == 0 && reader.Blocks.Count > (reader.TotalRows + reader.Header.BlockRows - 1) / reader.Header.BlockRows;

    /// <summary>Compacts <paramref name="path"/> when it needs it; returns (blocks before, blocks after).</summary>
    public static (int Before, int After) Compact(string path)
    {
        string temp = path + TempSuffix;
        int before, after;
        using (var reader = SegmentReader.Open(path))
        {
            before = reader.Blocks.Count;
            if (!NeedsCompaction(reader)) return (before, before);
            if (File.Exists(temp)) File.Delete(temp);
            try
            {
                after = WriteFullBlocks(reader, temp);
            }
            catch
            {
                // A full disk, say: the sealed segment is untouched; drop the partial copy.
                try { File.Delete(temp); } catch (IOException) { }
                throw;
            }
        }
        File.Move(temp, path, overwrite: true);
        return (before, after);
    }

    private static int WriteFullBlocks(SegmentReader reader, string temp)
    {
        var options = new SegmentWriterOptions { BlockRows = reader.Header.BlockRows, InitialCapacity = Math.Max(1 << 20, reader.UsedBytes) };
        var buffer = reader.CreateBuffer();
        var row = new long[reader.Schema.ColumnCount];
        using var writer = SegmentWriter.Create(temp, reader.Header, options);
        for (int b = 0; b < reader.Blocks.Count; b++)
        {
            reader.ReadBlock(b, buffer);
            for (int r = 0; r < buffer.Rows; r++)
            {
                for (int c = 0; c < row.Length; c++) row[c] = buffer[c, r];
                writer.Append(row);
            }
        }
        return writer.BlockCount + (writer.PendingRows > 0 ? 1 : 0);
    }

    /// <summary>Removes what an interrupted compaction left beside <paramref name="path"/>.</summary>
    public static void CleanUp(string path)
    {
        string temp = path + TempSuffix;
        if (File.Exists(temp)) File.Delete(temp);
    }
}
