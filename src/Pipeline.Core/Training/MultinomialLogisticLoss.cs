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
/// in block order, so the result does not depend on thread scheduling or core count. Products
/// are accumulated in double; the features stay float to halve memory traffic.
/// </remarks>
internal sealed class MultinomialLogisticLoss : IDifferentiableFunction
{
    private const int RowsPerBlock = 1024;

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
        for (var b = 0; b < blocks; b++)
        {
            _blockGradients[b] = new double[Dimension];
            _blockMargins[b] = new double[classes];
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
        Array.Clear(gradient);
        var point = _point;
        var d = _dimension;
        var k = _classes;
        var interceptOffset = k * d;
        var start = block * RowsPerBlock;
        var end = Math.Min(_rows, start + RowsPerBlock);
        var loss = 0.0;
        for (var i = start; i < end; i++)
        {
            var row = new ReadOnlySpan<float>(_features, i * d, d);
            var label = _labels[i];
            var labelMargin = 0.0;
            var max = double.NegativeInfinity;
            for (var c = 0; c < k; c++)
            {
                var margin = Dot(new ReadOnlySpan<double>(point, c * d, d), row);
                if (_fitIntercept)
                {
                    margin += point[interceptOffset + c];
                }

                margins[c] = margin;
                labelMargin = c == label ? margin : labelMargin;
                max = Math.Max(max, margin);
            }

            var sum = 0.0;
            for (var c = 0; c < k; c++)
            {
                var e = Math.Exp(margins[c] - max);
                margins[c] = e;
                sum += e;
            }

            loss += Math.Log(sum) + max - labelMargin;
            var inverse = 1.0 / sum;
            for (var c = 0; c < k; c++)
            {
                var residual = margins[c] * inverse - (c == label ? 1.0 : 0.0);
                AddScaled(residual, row, new Span<double>(gradient, c * d, d));
                if (_fitIntercept)
                {
                    gradient[interceptOffset + c] += residual;
                }
            }
        }

        _blockLosses[block] = loss;
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

    /// <summary>g_j += a · x_j with the float row widened to double.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void AddScaled(double a, ReadOnlySpan<float> x, Span<double> g)
    {
        ref var gRef = ref MemoryMarshal.GetReference(g);
        ref var xRef = ref MemoryMarshal.GetReference(x);
        var n = x.Length;
        var j = 0;
        if (Vector.IsHardwareAccelerated && n >= Vector<float>.Count)
        {
            var av = new Vector<double>(a);
            var step = Vector<float>.Count;
            var half = Vector<double>.Count;
            for (; j <= n - step; j += step)
            {
                Vector.Widen(Vector.LoadUnsafe(ref xRef, (nuint)j), out var low, out var high);
                (Vector.LoadUnsafe(ref gRef, (nuint)j) + av * low).StoreUnsafe(ref gRef, (nuint)j);
                (Vector.LoadUnsafe(ref gRef, (nuint)(j + half)) + av * high).StoreUnsafe(ref gRef, (nuint)(j + half));
            }
        }

        for (; j < n; j++)
        {
            Unsafe.Add(ref gRef, j) += a * Unsafe.Add(ref xRef, j);
        }
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
