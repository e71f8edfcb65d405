// Starts `iac-lint lsp` for YAML, JSON and Terraform files and passes the user's settings to it.
import * as vscode from "vscode";
import {
  Executable,
  LanguageClient,
  LanguageClientOptions,
  TransportKind,
} from "vscode-languageclient/node";

const SECTION = "iac-lint";
// Settings that change which program runs: the server is restarted for them.
const PROCESS_SETTINGS = [`${SECTION}.path`, `${SECTION}.args`];

let client: LanguageClient | undefined;

interface ServerSettings {
  policies: string[];
  minSeverity: string;
  lintOn: string;
  debounceMs: number;
}

function serverSettings(scope?: vscode.ConfigurationScope): ServerSettings {
  const config = vscode.workspace.getConfiguration(SECTION, scope);
  return {
    policies: config.get<string[]>("policies", []),
    minSeverity: config.get<string>("minSeverity", "info"),
    lintOn: config.get<string>("lintOn", "type"),
    debounceMs: config.get<number>("debounceMs", 200),
  };
}

function serverOptions(): Executable {
  const config = vscode.workspace.getConfiguration(SECTION);
  return {
    command: config.get<string>("path", "iac-lint"),
    args: config.get<string[]>("args", ["lsp"]),
    transport: TransportKind.stdio,
  };
}

function clientOptions(): LanguageClientOptions {
  return {
    documentSelector: [
      { scheme: "file", language: "yaml" },
      { scheme: "file", language: "json" },
      { scheme: "file", language: "terraform" },
      { scheme: "file", language: "hcl" },
      { scheme: "file", pattern: "**/*.tf" },
    ],
    // The server asks for each folder's settings (workspace/configuration); this also tells it when they change.
    synchronize: { configurationSection: SECTION },
    initializationOptions: serverSettings(),
    outputChannelName: "iac-lint",
  };
}

async function start(): Promise<void> {
  const next = new LanguageClient(SECTION, "iac-lint", serverOptions(), clientOptions());
  try {
    await next.start();
    client = next;
  } catch (error) {
    const options = serverOptions();
    const command = [options.command, ...(options.args ?? [])].join(" ");
    const choice = await vscode.window.showErrorMessage(
      `iac-lint: could not start the language server (\`${command}\`): ${String(error)}. ` +
        "Install it with `pip install \"iac-lint[lsp]\"`, or set iac-lint.path.",
      "Open settings",
    );
    if (choice === "Open settings") {
      await vscode.commands.executeCommand("workbench.action.openSettings", SECTION);
    }
  }
}

async function restart(): Promise<void> {
  const previous = client;
  client = undefined;
  if (previous) {
    await previous.stop();
  }
  await start();
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  context.subscriptions.push(
    vscode.commands.registerCommand(`${SECTION}.restart`, restart),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (PROCESS_SETTINGS.some((name) => event.affectsConfiguration(name))) {
        void restart();
      }
    }),
  );
  await start();
}

export async function deactivate(): Promise<void> {
  if (client) {
    await client.stop();
  }
}
