// DSL0003: a network without any node.
using DslNet;

namespace Corpus;

[Network]
public partial class {|DSL0003:Empty|}
{
}
