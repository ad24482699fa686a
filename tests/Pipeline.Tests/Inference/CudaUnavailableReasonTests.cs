using Pipeline.Inference;

namespace Pipeline.Tests.Inference;

/// <summary>The short reason <c>device: auto</c> logs, from ONNX Runtime errors as they appear on machines without a usable GPU.</summary>
public sealed class CudaUnavailableReasonTests
{
    [Fact]
    public void From_MissingCublas_NamesTheMissingLibrary()
    {
        // ORT 1.31 on a machine with the GPU package but no CUDA 13 libraries.
        var error = Ort(
            "/onnxruntime_src/onnxruntime/core/session/provider_bridge_ort.cc:2043 onnxruntime::Provider& onnxruntime::ProviderLibrary::Get() "
            + "[ONNXRuntimeError] : 1 : FAIL : Failed to load library /app/runtimes/linux-x64/native/libonnxruntime_providers_cuda.so with error: "
            + "libcublasLt.so.13: cannot open shared object file: No such file or directory");

        Assert.Equal("libcublasLt.so.13 was not found", CudaUnavailableReason.From(error));
    }

    [Fact]
    public void From_MissingCudnnOnSeveralLines_NamesTheMissingLibrary()
    {
        var error = new InvalidOperationException("Failed to load library libonnxruntime_providers_cuda.so with error:\nlibcudnn.so.9: cannot open shared object file:\nNo such file or directory");

        Assert.Equal("libcudnn.so.9 was not found", CudaUnavailableReason.From(error));
    }

    [Fact]
    public void From_ProviderThatDoesNotLoad_NamesTheProviderFile()
    {
        var error = Ort("Failed to load library /x/libonnxruntime_providers_cuda.so with error: undefined symbol: cudaGetDeviceCount");

        Assert.Equal("libonnxruntime_providers_cuda.so could not be loaded", CudaUnavailableReason.From(error));
    }

    [Fact]
    public void From_DllNotFound_NamesTheLibrary()
    {
        var error = new DllNotFoundException("Unable to load shared library 'onnxruntime_providers_shared' or one of its dependencies. In order to help diagnose loading problems, consider using a tool like strace.");

        Assert.Equal("onnxruntime_providers_shared could not be loaded", CudaUnavailableReason.From(error));
    }

    [Fact]
    public void From_NoDevice_GivesCudasOwnWords()
    {
        var error = Ort(
            "/onnxruntime_src/onnxruntime/core/providers/cuda/cuda_call.cc:129 std::conditional_t<THRW, void, onnxruntime::common::Status> onnxruntime::CudaCall(...) "
            + "[ONNXRuntimeError] : 1 : FAIL : CUDA failure 100: no CUDA-capable device is detected ; GPU=0 ; hostname=h ; file=cuda_execution_provider.cc ; line=282 ; expr=cudaSetDevice(info_.device_id);");

        Assert.Equal("no CUDA-capable device is detected", CudaUnavailableReason.From(error));
    }

    [Fact]
    public void From_UnknownOrtError_DropsTheSourcePrefixAndKeepsOneShortLine()
    {
        var error = Ort("/onnxruntime_src/a.cc:1 f() [ONNXRuntimeError] : 1 : FAIL : " + new string('z', 400) + "\nsecond line");

        var reason = CudaUnavailableReason.From(error);

        Assert.Equal(160, reason.Length);
        Assert.StartsWith("zzz", reason, StringComparison.Ordinal);
        Assert.EndsWith("…", reason, StringComparison.Ordinal);
    }

    /// <summary>An error worded as <c>OnnxRuntimeException</c> words it ("[ErrorCode:Fail] " + ORT's status message); its constructor is internal.</summary>
    private static InvalidOperationException Ort(string status) => new("[ErrorCode:Fail] " + status);
}
