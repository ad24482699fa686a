namespace Pipeline.Fuzz;

/// <summary>
/// A product outcome that is not an exception but is still a bug: a reject that only the decoder's
/// catch-all produced, a tensor that does not have the model's size.
/// </summary>
internal sealed class FuzzFindingException(string message, Exception? innerException = null) : Exception(message, innerException);
