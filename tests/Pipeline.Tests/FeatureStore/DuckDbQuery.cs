using System.Globalization;
using System.Text;
using DuckDB.NET.Data;

namespace Pipeline.Tests.FeatureStore;

/// <summary>SQL over a store's files through DuckDB, a Parquet reader that shares no code with ours.</summary>
internal static class DuckDbQuery
{
    /// <summary>Every row's values; BLOBs are copied out as byte arrays, since DuckDB's streams die with the row.</summary>
    public static List<object[]> Rows(string sql)
    {
        using var connection = new DuckDBConnection("Data Source=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<object[]>();
        while (reader.Read())
        {
            var row = new object[reader.FieldCount];
            reader.GetValues(row);
            for (var i = 0; i < row.Length; i++)
            {
                if (row[i] is Stream blob)
                {
                    using var copy = new MemoryStream();
                    blob.CopyTo(copy);
                    row[i] = copy.ToArray();
                }
            }

            rows.Add(row);
        }

        return rows;
    }

    public static long Count(string sql) => Convert.ToInt64(Rows(sql).Single().Single(), CultureInfo.InvariantCulture);

    /// <summary>The glob of a store's Parquet parts, quoted for SQL.</summary>
    public static string Parts(string output) => $"'{Path.Combine(output, "features", "*.parquet")}'";

    /// <summary>A BLOB of <c>parquet_kv_metadata</c> as text.</summary>
    public static string Utf8(object blob) => blob switch
    {
        byte[] bytes => Encoding.UTF8.GetString(bytes),
        Stream stream => new StreamReader(stream, Encoding.UTF8).ReadToEnd(),
        string text => text,
        _ => throw new InvalidOperationException($"Unexpected BLOB type {blob.GetType()}."),
    };
}
