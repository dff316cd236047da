using System.Buffers.Binary;

namespace TickEngine.Storage.Compression;

/// <summary>
/// The 40-byte column entry of a block header (FORMAT.md, "Column entry"). Read and written field by field,
/// little-endian.
/// </summary>
public struct ColumnEncoding
{
    /// <summary>Size of the entry on disk.</summary>
    public const int Size = 40;

    public ColumnTransform Transform;
    public ColumnPacking Packing;
    public byte Width1;
    public byte Width2;
    public ColumnCompression Compression;
    public long Base;
    public long Reference;
    public int DivisorExponent;
    public int PackedLength;
    public int StoredLength;

    /// <summary>Writes the entry.</summary>
    public readonly void Write(Span<byte> entry)
    {
        entry[0] = (byte)Transform;
        entry[1] = (byte)Packing;
        entry[2] = Width1;
        entry[3] = Width2;
        entry[4] = (byte)Compression;
        entry[5] = (byte)DivisorExponent;
        entry[6] = 0;
        entry[7] = 0;
        BinaryPrimitives.WriteInt64LittleEndian(entry[8..], Base);
        BinaryPrimitives.WriteInt64LittleEndian(entry[16..], Reference);
        BinaryPrimitives.WriteInt32LittleEndian(entry[24..], PackedLength);
        BinaryPrimitives.WriteInt32LittleEndian(entry[28..], StoredLength);
        BinaryPrimitives.WriteInt64LittleEndian(entry[32..], 0);
    }

    /// <summary>Reads an entry; returns a description of the first invalid field, or null when it is valid.</summary>
    public static string? TryRead(ReadOnlySpan<byte> entry, out ColumnEncoding e)
    {
        e = default;
        e.Transform = (ColumnTransform)entry[0];
        e.Packing = (ColumnPacking)entry[1];
        e.Width1 = entry[2];
        e.Width2 = entry[3];
        e.Compression = (ColumnCompression)entry[4];
        e.DivisorExponent = entry[5];
        e.Base = BinaryPrimitives.ReadInt64LittleEndian(entry[8..]);
        e.Reference = BinaryPrimitives.ReadInt64LittleEndian(entry[16..]);
        e.PackedLength = BinaryPrimitives.ReadInt32LittleEndian(entry[24..]);
        e.StoredLength = BinaryPrimitives.ReadInt32LittleEndian(entry[28..]);
        if (e.Transform > ColumnTransform.DeltaZigZag) return $"unknown transform {entry[0]}";
        if (e.Packing > ColumnPacking.TwoClass) return $"unknown packing {entry[1]}";
        if (e.Compression > ColumnCompression.Lz4) return $"unknown compression {entry[4]}";
        if (e.Width1 > 64 || e.Width2 > 64) return "bit width above 64";
        if (e.DivisorExponent > 18) return $"divisor exponent {e.DivisorExponent} above 18";
        if (entry[6] != 0 || entry[7] != 0 || BinaryPrimitives.ReadInt64LittleEndian(entry[32..]) != 0) return "reserved bytes are not zero";
        if (e.PackedLength < 0 || e.StoredLength < 0) return "negative length";
        if (e.Compression == ColumnCompression.None && e.StoredLength != e.PackedLength) return "stored length differs from packed length of an uncompressed column";
        return null;
    }
}
