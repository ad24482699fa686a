using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Pipeline.Training;

/// <summary>
/// Mean softmax cross-entropy over a standardised float matrix plus the L2 part of the penalty,
/// with its gradient. Parameters are laid out as K rows of d coefficients followed by K
/// intercepts (when fitted).
/// </summary>
/// <remarks>
/// Rows are split into fixed blocks whose partial sums land in per-block buffers and are reduced
/// in block order, so the result does not depend on thread scheduling or core count. Within a
/// block, rows go four at a time through a double scratch tile (widened once, not once per
/// class) so each coefficient chunk is loaded once per four rows. Products are accumulated in
/// double; the stored features stay float to halve memory.
/// </remarks>
internal sealed class MultinomialLogisticLoss : IDifferentiableFunction
{
    private const int RowsPerBlock = 1024;
    private const int TileRows = 4;

    private readonly float[] _features;
    private readonly int[] _labels;
    private readonly int _rows;
    private readonly int _dimension;
    private readonly int _classes;
    private readonly bool _fitIntercept;
    private readonly double[] _l2PerFeature;
    private readonly double[][] _blockGradients;
    private readonly double[] _blockLosses;
    private readonly double[][] _blockMargins;
    private readonly double[][] _blockTiles;
    private readonly ParallelOptions _parallelOptions;
    private readonly Action<int> _evaluateBlock;
    private double[] _point = [];

    /// <param name="features">Standardised rows, row-major n×d.</param>
    /// <param name="l2PerFeature">Per-feature L2 weight w_j: the penalty is ½ Σ_kj w_j β_kj².</param>
    public MultinomialLogisticLoss(
        float[] features, int[] labels, int dimension, int classes, bool fitIntercept, double[] l2PerFeature, int maxDegreeOfParallelism)
    {
        _features = features;
        _labels = labels;
        _rows = labels.Length;
        _dimension = dimension;
        _classes = classes;
        _fitIntercept = fitIntercept;
        _l2PerFeature = l2PerFeature;
        Dimension = classes * dimension + (fitIntercept ? classes : 0);
        var blocks = (_rows + RowsPerBlock - 1) / RowsPerBlock;
        _blockGradients = new double[blocks][];
        _blockMargins = new double[blocks][];
        _blockTiles = new double[blocks][];
        for (var b = 0; b < blocks; b++)
        {
            _blockGradients[b] = new double[Dimension];
            _blockMargins[b] = new double[TileRows * classes];
            _blockTiles[b] = new double[TileRows * dimension];
        }

        _blockLosses = new double[blocks];
        _parallelOptions = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, maxDegreeOfParallelism) };
        _evaluateBlock = EvaluateBlock;
    }

    public int Dimension { get; }

    public double Evaluate(double[] point, double[] gradient)
    {
        _point = point;
        if (_blockGradients.Length == 1)
        {
            EvaluateBlock(0);
        }
        else
        {
            Parallel.For(0, _blockGradients.Length, _parallelOptions, _evaluateBlock);
        }

        Array.Clear(gradient);
        var loss = 0.0;
        for (var b = 0; b < _blockGradients.Length; b++)
        {
            loss += _blockLosses[b];
            Add(_blockGradients[b], gradient);
        }

        var scale = 1.0 / _rows;
        loss *= scale;
        for (var i = 0; i < gradient.Length; i++)
        {
            gradient[i] *= scale;
        }

        var penalty = 0.0;
        for (var k = 0; k < _classes; k++)
        {
            var offset = k * _dimension;
            for (var j = 0; j < _dimension; j++)
            {
                var w = _l2PerFeature[j];
                if (w != 0)
                {
                    var beta = point[offset + j];
                    penalty += w * beta * beta;
                    gradient[offset + j] += w * beta;
                }
            }
        }

        return loss + 0.5 * penalty;
    }

    private void EvaluateBlock(int block)
    {
        var gradient = _blockGradients[block];
        var margins = _blockMargins[block];
        var tile = _blockTiles[block];
        Array.Clear(gradient);
        var point = _point;
        var d = _dimension;
        var k = _classes;
        var interceptOffset = k * d;
        var start = block * RowsPerBlock;
        var end = Math.Min(_rows, start + RowsPerBlock);
        var loss = 0.0;
        for (var first = start; first < end; first += TileRows)
        {
            var count = Math.Min(TileRows, end - first);
            for (var r = 0; r < count; r++)
            {
                Widen(new ReadOnlySpan<float>(_features, (first + r) * d, d), new Span<double>(tile, r * d, d));
            }

            for (var c = 0; c < k; c++)
            {
                var w = new ReadOnlySpan<double>(point, c * d, d);
                var intercept = _fitIntercept ? point[interceptOffset + c] : 0.0;
                if (count == TileRows)
                {
                    Dot4(w, tile, d, out var m0, out var m1, out var m2, out var m3);
                    margins[c] = m0 + intercept;
                    margins[k + c] = m1 + intercept;
                    margins[2 * k + c] = m2 + intercept;
                    margins[3 * k + c] = m3 + intercept;
                }
                else
                {
                    for (var r = 0; r < count; r++)
                    {
                        margins[r * k + c] = Dot(w, new ReadOnlySpan<double>(tile, r * d, d)) + intercept;
                    }
                }
            }

            // Turn each row's margins into residuals p_c − [c = y] and add its loss.
            for (var r = 0; r < count; r++)
            {
                var row = new Span<double>(margins, r * k, k);
                var label = _labels[first + r];
                var labelMargin = row[label];
                var max = double.NegativeInfinity;
                foreach (var m in row)
                {
                    max = Math.Max(max, m);
                }

                var sum = 0.0;
                for (var c = 0; c < k; c++)
                {
                    row[c] = Math.Exp(row[c] - max);
                    sum += row[c];
                }

                loss += Math.Log(sum) + max - labelMargin;
                var inverse = 1.0 / sum;
                for (var c = 0; c < k; c++)
                {
                    row[c] *= inverse;
                }

                row[label] -= 1.0;
            }

            for (var c = 0; c < k; c++)
            {
                var g = new Span<double>(gradient, c * d, d);
                if (count == TileRows)
                {
                    AddScaled4(margins[c], margins[k + c], margins[2 * k + c], margins[3 * k + c], tile, g);
                }
                else
                {
                    for (var r = 0; r < count; r++)
                    {
                        AddScaled(margins[r * k + c], new ReadOnlySpan<double>(tile, r * d, d), g);
                    }
                }

                if (_fitIntercept)
                {
                    for (var r = 0; r < count; r++)
                    {
                        gradient[interceptOffset + c] += margins[r * k + c];
                    }
                }
            }
        }

        _blockLosses[block] = loss;
    }

    private static void Widen(ReadOnlySpan<float> source, Span<double> target)
    {
        ref var sRef = ref MemoryMarshal.GetReference(source);
        ref var tRef = ref MemoryMarshal.GetReference(target);
        var j = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; j <= source.Length - Vector<float>.Count; j += Vector<float>.Count)
            {
                Vector.Widen(Vector.LoadUnsafe(ref sRef, (nuint)j), out var low, out var high);
                low.StoreUnsafe(ref tRef, (nuint)j);
                high.StoreUnsafe(ref tRef, (nuint)(j + Vector<double>.Count));
            }
        }

        for (; j < source.Length; j++)
        {
            Unsafe.Add(ref tRef, j) = Unsafe.Add(ref sRef, j);
        }
    }

    /// <summary>
    /// w·x for four consecutive rows of <paramref name="tile"/>: each coefficient chunk is loaded once
    /// for four products, which quarters the traffic on the K×d coefficient matrix.
    /// </summary>
    private static void Dot4(ReadOnlySpan<double> w, double[] tile, int d, out double m0, out double m1, out double m2, out double m3)
    {
        ref var wRef = ref MemoryMarshal.GetReference(w);
        ref var x0 = ref MemoryMarshal.GetArrayDataReference(tile);
        ref var x1 = ref Unsafe.Add(ref x0, d);
        ref var x2 = ref Unsafe.Add(ref x0, 2 * d);
        ref var x3 = ref Unsafe.Add(ref x0, 3 * d);
        var j = 0;
        m0 = m1 = m2 = m3 = 0;
        if (Vector.IsHardwareAccelerated)
        {
            Vector<double> a0 = default, a1 = default, a2 = default, a3 = default;
            for (; j <= d - Vector<double>.Count; j += Vector<double>.Count)
            {
                var wv = Vector.LoadUnsafe(ref wRef, (nuint)j);
                a0 += wv * Vector.LoadUnsafe(ref x0, (nuint)j);
                a1 += wv * Vector.LoadUnsafe(ref x1, (nuint)j);
                a2 += wv * Vector.LoadUnsafe(ref x2, (nuint)j);
                a3 += wv * Vector.LoadUnsafe(ref x3, (nuint)j);
            }

            m0 = Vector.Sum(a0);
            m1 = Vector.Sum(a1);
            m2 = Vector.Sum(a2);
            m3 = Vector.Sum(a3);
        }

        for (; j < d; j++)
        {
            var wj = Unsafe.Add(ref wRef, j);
            m0 += wj * Unsafe.Add(ref x0, j);
            m1 += wj * Unsafe.Add(ref x1, j);
            m2 += wj * Unsafe.Add(ref x2, j);
            m3 += wj * Unsafe.Add(ref x3, j);
        }
    }

    /// <summary>g += r0·x0 + r1·x1 + r2·x2 + r3·x3 over the four rows of <paramref name="tile"/>.</summary>
    private static void AddScaled4(double r0, double r1, double r2, double r3, double[] tile, Span<double> g)
    {
        var d = g.Length;
        ref var gRef = ref MemoryMarshal.GetReference(g);
        ref var x0 = ref MemoryMarshal.GetArrayDataReference(tile);
        ref var x1 = ref Unsafe.Add(ref x0, d);
        ref var x2 = ref Unsafe.Add(ref x0, 2 * d);
        ref var x3 = ref Unsafe.Add(ref x0, 3 * d);
        var j = 0;
        if (Vector.IsHardwareAccelerated)
        {
            Vector<double> v0 = new(r0), v1 = new(r1), v2 = new(r2), v3 = new(r3);
            for (; j <= d - Vector<double>.Count; j += Vector<double>.Count)
            {
                var sum = Vector.LoadUnsafe(ref gRef, (nuint)j)
                    + v0 * Vector.LoadUnsafe(ref x0, (nuint)j)
                    + v1 * Vector.LoadUnsafe(ref x1, (nuint)j)
                    + v2 * Vector.LoadUnsafe(ref x2, (nuint)j)
                    + v3 * Vector.LoadUnsafe(ref x3, (nuint)j);
                sum.StoreUnsafe(ref gRef, (nuint)j);
            }
        }

        for (; j < d; j++)
        {
            Unsafe.Add(ref gRef, j) += r0 * Unsafe.Add(ref x0, j) + r1 * Unsafe.Add(ref x1, j)
                + r2 * Unsafe.Add(ref x2, j) + r3 * Unsafe.Add(ref x3, j);
        }
    }

    private static double Dot(ReadOnlySpan<double> w, ReadOnlySpan<double> x)
    {
        ref var wRef = ref MemoryMarshal.GetReference(w);
        ref var xRef = ref MemoryMarshal.GetReference(x);
        var j = 0;
        var sum = 0.0;
        if (Vector.IsHardwareAccelerated)
        {
            var acc = Vector<double>.Zero;
            for (; j <= x.Length - Vector<double>.Count; j += Vector<double>.Count)
            {
                acc += Vector.LoadUnsafe(ref wRef, (nuint)j) * Vector.LoadUnsafe(ref xRef, (nuint)j);
            }

            sum = Vector.Sum(acc);
        }

        for (; j < x.Length; j++)
        {
            sum += Unsafe.Add(ref wRef, j) * Unsafe.Add(ref xRef, j);
        }

        return sum;
    }

    private static void AddScaled(double a, ReadOnlySpan<double> x, Span<double> g)
    {
        var j = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var av = new Vector<double>(a);
            ref var gRef = ref MemoryMarshal.GetReference(g);
            ref var xRef = ref MemoryMarshal.GetReference(x);
            for (; j <= x.Length - Vector<double>.Count; j += Vector<double>.Count)
            {
                (Vector.LoadUnsafe(ref gRef, (nuint)j) + av * Vector.LoadUnsafe(ref xRef, (nuint)j)).StoreUnsafe(ref gRef, (nuint)j);
            }
        }

        for (; j < x.Length; j++)
        {
            g[j] += a * x[j];
        }
    }

    /// <summary>Σ w_j x_j with the float row widened to double.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static double Dot(ReadOnlySpan<double> w, ReadOnlySpan<float> x)
    {
        ref var wRef = ref MemoryMarshal.GetReference(w);
        ref var xRef = ref MemoryMarshal.GetReference(x);
        var n = x.Length;
        var j = 0;
        var sum = 0.0;
        if (Vector.IsHardwareAccelerated && n >= Vector<float>.Count)
        {
            var acc0 = Vector<double>.Zero;
            var acc1 = Vector<double>.Zero;
            var step = Vector<float>.Count;
            var half = Vector<double>.Count;
            for (; j <= n - step; j += step)
            {
                Vector.Widen(Vector.LoadUnsafe(ref xRef, (nuint)j), out var low, out var high);
                acc0 += low * Vector.LoadUnsafe(ref wRef, (nuint)j);
                acc1 += high * Vector.LoadUnsafe(ref wRef, (nuint)(j + half));
            }

            sum = Vector.Sum(acc0 + acc1);
        }

        for (; j < n; j++)
        {
            sum += Unsafe.Add(ref wRef, j) * Unsafe.Add(ref xRef, j);
        }

        return sum;
    }

    private static void Add(double[] source, double[] target)
    {
        var j = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; j <= source.Length - Vector<double>.Count; j += Vector<double>.Count)
            {
                (new Vector<double>(target, j) + new Vector<double>(source, j)).CopyTo(target, j);
            }
        }

        for (; j < source.Length; j++)
        {
            target[j] += source[j];
        }
    }
}
