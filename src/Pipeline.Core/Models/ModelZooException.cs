namespace Pipeline.Models;

/// <summary>The zoo file is invalid, a model name is unknown or a model file is missing; the message says which and what to do.</summary>
public sealed class ModelZooException(string message, Exception? inner = null) : Exception(message, inner);
