using System.Collections.Immutable;
using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;
using Pipeline.IO;
using Pipeline.Tests.Runs;

namespace Pipeline.Tests.Architecture;

/// <summary>
/// The stage folders of Pipeline.Core form layers: a namespace that uses another may not be used
/// by it, directly or through others. The graph is read from the compiled assembly rather than from
/// <c>using</c> lines, so an unused using does not count and a fully qualified name does.
/// </summary>
public sealed class NamespaceDependencyTests
{
    [Fact]
    public void PipelineCore_NamespaceGraph_HasNoCycle()
    {
        var graph = NamespaceGraph.Read(typeof(AtomicFile).Assembly.Location);

        var cycle = NamespaceGraph.FindCycle(graph);

        Assert.True(cycle is null, $"namespace cycle: {string.Join(" -> ", cycle ?? [])}\n{NamespaceGraph.Describe(graph)}");
    }

    [Fact]
    public void FindCycle_TwoNamespacesThroughAThird_NamesTheCycle()
    {
        var graph = new Dictionary<string, SortedSet<string>>
        {
            ["IO"] = [],
            ["Training"] = ["Evaluation", "IO"],
            ["Evaluation"] = ["Prediction"],
            ["Prediction"] = ["Training"],
        };

        Assert.Equal(["Evaluation", "Prediction", "Training", "Evaluation"], NamespaceGraph.FindCycle(graph));
    }

    [Fact]
    public void Read_PipelineCore_SeesTheKnownDependencies()
    {
        var graph = NamespaceGraph.Read(typeof(AtomicFile).Assembly.Location);

        // Edges the code is known to have: a guard against a reader that finds nothing, which
        // would pass the cycle test vacuously.
        Assert.Contains("Training", graph["Runs"]);
        Assert.Contains("Models", graph["Inference"]);
        Assert.Contains("Sources", graph["FeatureStore"]);
        Assert.Empty(graph["IO"]);
    }

    [Fact]
    public void ReadmeLayerTable_ListsEveryFolderBelowEachFolderItUses()
    {
        var graph = NamespaceGraph.Read(typeof(AtomicFile).Assembly.Location);
        var readme = File.ReadAllLines(Path.Combine(RepositoryRoot.Path, "README.md"));
        var header = Array.IndexOf(readme, "| `src/Pipeline.Core/` | what |");
        Assert.True(header >= 0, "README.md has no table headed | `src/Pipeline.Core/` | what |");
        var layers = readme.Skip(header + 2).TakeWhile(line => line.StartsWith("| `", StringComparison.Ordinal))
            .Select(line => line.Split('`')[1])
            .ToList();
        var folders = Directory.EnumerateDirectories(Path.Combine(RepositoryRoot.Path, "src", "Pipeline.Core"))
            .Select(Path.GetFileName)
            .Where(name => name is not ("bin" or "obj"))
            .Order(StringComparer.Ordinal);

        Assert.Equal(folders, layers.Order(StringComparer.Ordinal));
        var upward = graph.SelectMany(node => node.Value.Where(graph.ContainsKey).Select(used => (User: node.Key, Used: used)))
            .Where(edge => edge.User != edge.Used && layers.IndexOf(edge.Used) > layers.IndexOf(edge.User))
            .Select(edge => $"{edge.User} uses {edge.Used}, listed below it");
        Assert.Empty(upward);
    }

    /// <summary>Folder (second namespace segment under <c>Pipeline</c>) → the folders its types use.</summary>
    private static class NamespaceGraph
    {
        private const string Root = "Pipeline.";

        private static readonly Dictionary<short, OperandType> OperandTypes = typeof(OpCodes)
            .GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(f => (OpCode)f.GetValue(null)!)
            .ToDictionary(o => o.Value, o => o.OperandType);

        public static Dictionary<string, SortedSet<string>> Read(string assemblyPath)
        {
            using var stream = File.OpenRead(assemblyPath);
            using var pe = new PEReader(stream);
            var reader = pe.GetMetadataReader();
            var graph = new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal);
            foreach (var handle in reader.TypeDefinitions)
            {
                var from = Folder(reader, handle);
                if (from is null)
                {
                    continue;
                }

                var edges = graph.TryGetValue(from, out var set) ? set : graph[from] = new SortedSet<string>(StringComparer.Ordinal);
                var provider = new Collector(reader);
                Collect(reader, pe, handle, provider);
                edges.UnionWith(provider.Folders.Where(f => f != from));
            }

            return graph;
        }

        /// <summary>The first cycle found by depth-first search from the folders in order, as a path that ends where it starts; null when there is none.</summary>
        public static IReadOnlyList<string>? FindCycle(IReadOnlyDictionary<string, SortedSet<string>> graph)
        {
            var done = new HashSet<string>(StringComparer.Ordinal);
            var path = new List<string>();
            foreach (var start in graph.Keys.Order(StringComparer.Ordinal))
            {
                if (Visit(start) is { } cycle)
                {
                    return cycle;
                }
            }

            return null;

            IReadOnlyList<string>? Visit(string node)
            {
                var at = path.IndexOf(node);
                if (at >= 0)
                {
                    return [.. path[at..], node];
                }

                if (!done.Add(node))
                {
                    return null;
                }

                path.Add(node);
                foreach (var next in graph.TryGetValue(node, out var edges) ? edges : [])
                {
                    if (Visit(next) is { } cycle)
                    {
                        return cycle;
                    }
                }

                path.RemoveAt(path.Count - 1);
                return null;
            }
        }

        public static string Describe(IReadOnlyDictionary<string, SortedSet<string>> graph) =>
            string.Join("\n", graph.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} -> {string.Join(", ", p.Value)}"));

        /// <summary>Every type a type definition names: base type, interfaces, members' signatures, attributes, and its methods' IL and locals.</summary>
        private static void Collect(MetadataReader reader, PEReader pe, TypeDefinitionHandle handle, Collector provider)
        {
            var type = reader.GetTypeDefinition(handle);
            provider.Entity(type.BaseType);
            foreach (var implementation in type.GetInterfaceImplementations())
            {
                provider.Entity(reader.GetInterfaceImplementation(implementation).Interface);
            }

            foreach (var field in type.GetFields())
            {
                var definition = reader.GetFieldDefinition(field);
                definition.DecodeSignature(provider, null);
                provider.Attributes(definition.GetCustomAttributes());
            }

            foreach (var property in type.GetProperties())
            {
                var definition = reader.GetPropertyDefinition(property);
                definition.DecodeSignature(provider, null);
                provider.Attributes(definition.GetCustomAttributes());
            }

            provider.Attributes(type.GetCustomAttributes());
            foreach (var method in type.GetMethods())
            {
                var definition = reader.GetMethodDefinition(method);
                definition.DecodeSignature(provider, null);
                provider.Attributes(definition.GetCustomAttributes());
                if (definition.RelativeVirtualAddress == 0)
                {
                    continue;
                }

                var body = pe.GetMethodBody(definition.RelativeVirtualAddress);
                if (!body.LocalSignature.IsNil)
                {
                    reader.GetStandaloneSignature(body.LocalSignature).DecodeLocalSignature(provider, null);
                }

                Instructions(body.GetILBytes()!, provider);
            }
        }

        /// <summary>Walks the IL, handing every metadata token operand (calls, field accesses, <c>newobj</c>, <c>typeof</c>, casts) to <paramref name="provider"/>.</summary>
        private static void Instructions(byte[] il, Collector provider)
        {
            var at = 0;
            while (at < il.Length)
            {
                short value = il[at++];
                if (value == 0xFE)
                {
                    value = (short)(0xFE00 | il[at++]);
                }

                var operand = OperandTypes[value];
                switch (operand)
                {
                    case OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineTok or OperandType.InlineType:
                        provider.Entity(MetadataTokens.EntityHandle(BitConverter.ToInt32(il, at)));
                        at += 4;
                        break;
                    case OperandType.InlineSwitch:
                        at += 4 + (4 * BitConverter.ToInt32(il, at));
                        break;
                    case OperandType.InlineNone:
                        break;
                    case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                        at += 1;
                        break;
                    case OperandType.InlineVar:
                        at += 2;
                        break;
                    case OperandType.InlineI8 or OperandType.InlineR:
                        at += 8;
                        break;
                    default:
                        at += 4;
                        break;
                }
            }
        }

        /// <summary>The folder of a Pipeline type (a nested or compiler-generated type counts as its outermost type), or null outside <c>Pipeline.*</c>.</summary>
        private static string? Folder(MetadataReader reader, TypeDefinitionHandle handle)
        {
            var type = reader.GetTypeDefinition(handle);
            while (type.GetDeclaringType() is { IsNil: false } outer)
            {
                type = reader.GetTypeDefinition(outer);
            }

            return Folder(reader.GetString(type.Namespace));
        }

        private static string? Folder(string ns) =>
            ns.StartsWith(Root, StringComparison.Ordinal) ? ns[Root.Length..].Split('.')[0] : null;

        /// <summary>Decodes signatures for their side effect: the folder of every Pipeline type they name lands in <see cref="Folders"/>.</summary>
        private sealed class Collector(MetadataReader reader) : ISignatureTypeProvider<int, object?>
        {
            public HashSet<string> Folders { get; } = new(StringComparer.Ordinal);

            public void Entity(EntityHandle handle)
            {
                if (handle.IsNil)
                {
                    return;
                }

                switch (handle.Kind)
                {
                    case HandleKind.TypeDefinition:
                        GetTypeFromDefinition(reader, (TypeDefinitionHandle)handle, 0);
                        break;
                    case HandleKind.TypeReference:
                        GetTypeFromReference(reader, (TypeReferenceHandle)handle, 0);
                        break;
                    case HandleKind.TypeSpecification:
                        GetTypeFromSpecification(reader, null, (TypeSpecificationHandle)handle, 0);
                        break;
                    case HandleKind.FieldDefinition:
                        GetTypeFromDefinition(reader, reader.GetFieldDefinition((FieldDefinitionHandle)handle).GetDeclaringType(), 0);
                        break;
                    case HandleKind.MethodDefinition:
                        GetTypeFromDefinition(reader, reader.GetMethodDefinition((MethodDefinitionHandle)handle).GetDeclaringType(), 0);
                        break;
                    case HandleKind.MemberReference:
                        var member = reader.GetMemberReference((MemberReferenceHandle)handle);
                        Entity(member.Parent);
                        if (member.GetKind() == MemberReferenceKind.Method)
                        {
                            member.DecodeMethodSignature(this, null);
                        }
                        else
                        {
                            member.DecodeFieldSignature(this, null);
                        }

                        break;
                    case HandleKind.MethodSpecification:
                        var specification = reader.GetMethodSpecification((MethodSpecificationHandle)handle);
                        Entity(specification.Method);
                        specification.DecodeSignature(this, null);
                        break;
                }
            }

            public void Attributes(CustomAttributeHandleCollection attributes)
            {
                foreach (var attribute in attributes)
                {
                    Entity(reader.GetCustomAttribute(attribute).Constructor);
                }
            }

            public int GetTypeFromDefinition(MetadataReader metadata, TypeDefinitionHandle handle, byte rawTypeKind)
            {
                if (Folder(metadata, handle) is { } folder)
                {
                    Folders.Add(folder);
                }

                return 0;
            }

            public int GetTypeFromReference(MetadataReader metadata, TypeReferenceHandle handle, byte rawTypeKind)
            {
                var type = metadata.GetTypeReference(handle);
                while (type.ResolutionScope.Kind == HandleKind.TypeReference)
                {
                    type = metadata.GetTypeReference((TypeReferenceHandle)type.ResolutionScope);
                }

                if (Folder(metadata.GetString(type.Namespace)) is { } folder)
                {
                    Folders.Add(folder);
                }

                return 0;
            }

            public int GetTypeFromSpecification(MetadataReader metadata, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind) =>
                metadata.GetTypeSpecification(handle).DecodeSignature(this, genericContext);

            public int GetPrimitiveType(PrimitiveTypeCode typeCode) => 0;

            public int GetSZArrayType(int elementType) => 0;

            public int GetArrayType(int elementType, ArrayShape shape) => 0;

            public int GetByReferenceType(int elementType) => 0;

            public int GetPointerType(int elementType) => 0;

            public int GetPinnedType(int elementType) => 0;

            public int GetGenericInstantiation(int genericType, ImmutableArray<int> typeArguments) => 0;

            public int GetGenericTypeParameter(object? genericContext, int index) => 0;

            public int GetGenericMethodParameter(object? genericContext, int index) => 0;

            public int GetFunctionPointerType(MethodSignature<int> signature) => 0;

            public int GetModifiedType(int modifier, int unmodifiedType, bool isRequired) => 0;
        }
    }
}
