namespace Lifeboat.Cli.Commands;

/// <summary>
/// Shell completion scripts. They hold no word lists: each completion asks the executable itself through
/// System.CommandLine's [suggest:POSITION] directive, so every command and option in the tree completes, new ones too,
/// and a script never goes stale against the executable it calls.
/// </summary>
internal static class CompletionScripts
{
    /// <summary>The shells a script exists for.</summary>
    public static IReadOnlyList<string> Shells { get; } = ["bash", "zsh"];

    /// <summary>The script for <paramref name="shell"/>, one of <see cref="Shells"/>.</summary>
    public static string For(string shell) => shell switch
    {
        "bash" => Bash,
        "zsh" => Zsh,
        _ => throw new ArgumentOutOfRangeException(nameof(shell), shell, "no completion script for this shell"),
    };

    // COMP_WORDS[0] is the executable as typed, so ./lifeboat completes from the same build it will run.
    // -o default: where Lifeboat suggests nothing (the file after --config), the shell completes file names.
    // '=' is asked as a space: System.CommandLine 2.0.0 throws when the word at the cursor is --option=value,
    // and the same line with the value as its own word completes alike.
    private const string Bash = """
        # bash completion for lifeboat. Install: lifeboat completion bash > /etc/bash_completion.d/lifeboat
        # (or add 'source <(lifeboat completion bash)' to ~/.bashrc)
        _lifeboat_complete()
        {
            local line="${COMP_LINE:0:COMP_POINT}"
            line="${line//=/ }"
            local IFS=$'\n'
            COMPREPLY=($(compgen -W "$("${COMP_WORDS[0]}" "[suggest:${#line}]" "$line" 2>/dev/null)" -- "${COMP_WORDS[COMP_CWORD]}"))
        }
        complete -o default -F _lifeboat_complete lifeboat

        """;

    private const string Zsh = """
        #compdef lifeboat
        # zsh completion for lifeboat. Install: add 'source <(lifeboat completion zsh)' to ~/.zshrc, after compinit
        # (or: lifeboat completion zsh > "${fpath[1]}/_lifeboat")
        _lifeboat()
        {
            local line="${BUFFER[1,CURSOR]}"
            line="${line//=/ }"
            local -a suggestions
            suggestions=("${(@f)$("${words[1]}" "[suggest:${#line}]" "$line" 2>/dev/null)}")
            if (( ${#suggestions[@]} == 0 )) || [[ -z "${suggestions[1]}" ]]; then
                _files
                return
            fi
            compadd -a suggestions
        }
        if [[ "${funcstack[1]}" == _lifeboat ]]; then
            _lifeboat "$@"
        else
            compdef _lifeboat lifeboat
        fi

        """;
}
