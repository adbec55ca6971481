// args.test.ts — runc's command line as the engines send it (argument lists captured from podman 4.3.1 +
// conmon 2.1.6 and containerd 1.6.20's shim, /work/shared/reference/oci-engines.md) parses into typed commands.
import { describe, expect, it } from 'vitest';
import { ALL_VERBS, parseArgs, UsageError } from '../src/args.js';

const parse = (...argv: string[]) => parseArgs(argv, ALL_VERBS);
const usageMessage = (...argv: string[]) => {
  try {
    parse(...argv);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error('expected a usage error');
};

describe('engine calls', () => {
  it('podman create/start/delete', () => {
    expect(parse('create', '--bundle', '/b', '--pid-file', '/p', 'abc').command).toEqual({
      verb: 'create', id: 'abc', bundle: '/b', pidFile: '/p', noPivot: false, noNewKeyring: false, preserveFds: 0,
    });
    expect(parse('start', 'abc').command).toEqual({ verb: 'start', id: 'abc' });
    expect(parse('delete', '--force', 'abc').command).toEqual({ verb: 'delete', id: 'abc', force: true });
  });

  it('containerd global flags, --flag=value and -flag forms', () => {
    const { globals, command } = parse('--root', '/run/containerd/runc/default', '--log=/b/log.json', '-log-format', 'json', 'create', '-bundle=/b', '--console-socket', '/s', '--preserve-fds=2', '--no-pivot', '--no-new-keyring', 'id1');
    expect(globals).toEqual({ root: '/run/containerd/runc/default', log: '/b/log.json', logFormat: 'json', logLevel: 'info', debug: false });
    expect(command).toMatchObject({ bundle: '/b', consoleSocket: '/s', preserveFds: 2, noPivot: true, noNewKeyring: true, id: 'id1' });
  });

  it('defaults: root /run/ctrun, bundle the current directory', () => {
    const { globals, command } = parse('create', 'x');
    expect(globals.root).toBe('/run/ctrun');
    expect(command).toMatchObject({ bundle: '.' });
  });

  it('exec with --process and with a command whose flags stay arguments', () => {
    expect(parse('exec', '--pid-file', '/p', '--process', '/tmp/runc-process1', '--detach', '--tty', '--console-socket', '/s', 'id').command).toEqual({
      verb: 'exec', id: 'id', args: [], process: '/tmp/runc-process1', detach: true, tty: true, pidFile: '/p', consoleSocket: '/s', env: [],
    });
    expect(parse('exec', '-e', 'A=1', '--env=B=2', '--cwd', '/tmp', 'id', 'sh', '-c', 'echo -n hi').command).toMatchObject({
      env: ['A=1', 'B=2'], cwd: '/tmp', args: ['sh', '-c', 'echo -n hi'],
    });
    expect(usageMessage('exec', 'id')).toMatch(/give the command/);
    expect(usageMessage('exec', '-p', 'f', 'id', 'sh')).toMatch(/not both/);
  });

  it('kill: numbers, names with and without SIG, any case, default TERM, --all', () => {
    expect(parse('kill', 'id', '9').command).toEqual({ verb: 'kill', id: 'id', signal: 9, all: false });
    expect(parse('kill', 'id', 'KILL').command).toMatchObject({ signal: 9 });
    expect(parse('kill', 'id', 'SIGUSR1').command).toMatchObject({ signal: 10 });
    expect(parse('kill', 'id', 'term').command).toMatchObject({ signal: 15 });
    expect(parse('kill', '--all', 'id').command).toMatchObject({ signal: 15, all: true });
    expect(usageMessage('kill', 'id', 'SIGNOPE')).toBe('unknown signal "SIGNOPE"');
    expect(usageMessage('kill', 'id', '0')).toBe('unknown signal "0"');
    expect(usageMessage('kill', 'id', '9', 'x')).toMatch(/"kill" requires 1 to 2 argument/);
  });

  it('ps, update, list, features, spec, pause, resume', () => {
    expect(parse('ps', '--format', 'json', 'id').command).toEqual({ verb: 'ps', id: 'id', format: 'json', psArgs: [] });
    expect(parse('ps', 'id', '-ef').command).toMatchObject({ format: 'table', psArgs: ['-ef'] });
    expect(parse('update', '--resources', '-', 'id').command).toEqual({ verb: 'update', id: 'id', resources: '-' });
    expect(parse('update', '--resources=/f', 'id').command).toEqual({ verb: 'update', id: 'id', resources: '/f' });
    expect(parse('list', '-q').command).toEqual({ verb: 'list', format: 'table', quiet: true });
    expect(parse('list', '--format=json').command).toMatchObject({ format: 'json' });
    expect(parse('features').command).toEqual({ verb: 'features' });
    expect(parse('spec', '--rootless', '-b', '/b').command).toEqual({ verb: 'spec', bundle: '/b', rootless: true });
    expect(parse('pause', 'id').command).toEqual({ verb: 'pause', id: 'id' });
    expect(parse('resume', 'id').command).toEqual({ verb: 'resume', id: 'id' });
  });

  it('--version, --debug, --log-level, booleans with =true/=false', () => {
    expect(parse('--version').command).toEqual({ verb: 'version' });
    expect(parse('--debug', 'list').globals).toMatchObject({ debug: true, logLevel: 'debug' });
    expect(parse('--log-level', 'warn', 'list').globals.logLevel).toBe('warn');
    expect(parse('delete', '--force=false', 'x').command).toMatchObject({ force: false });
    expect(parse('--rootless', 'auto', 'list').command.verb).toBe('list');
  });
});

describe('bad usage is one line', () => {
  it.each([
    [['--systemd-cgroup', 'list'], /--systemd-cgroup is not supported/],
    [['--log-format', 'xml', 'list'], /--log-format must be one of text, json, got "xml"/],
    [['state'], /"state" requires exactly 1 argument\(s\), got 0/],
    [['state', 'a', 'b'], /got 2/],
    [['state', '--nope', 'a'], /^state: flag provided but not defined: -nope$/],
    [['--root'], /flag needs an argument: -root/],
    [['frobnicate'], /unknown command "frobnicate"/],
    [['state', '../etc'], /invalid container id format/],
    [['create', '--preserve-fds', 'x', 'id'], /--preserve-fds must be a count/],
    [['list', '--quiet=maybe'], /invalid boolean value "maybe"/],
    [['--rootless', 'true', 'list'], /--rootless true is not supported/],
  ])('%j', (argv, message) => {
    const text = usageMessage(...argv);
    expect(text).toMatch(message);
    expect(text).not.toContain('\n');
  });

  it('keeps the global options read before the error, so the error is logged where --log says', () => {
    try {
      parse('--log', '/l', '--log-format', 'json', 'state');
      throw new Error('no error');
    } catch (error) {
      expect((error as UsageError).globals).toMatchObject({ log: '/l', logFormat: 'json' });
    }
  });

  it('a verb the bin does not register is an unknown command', () => {
    expect(() => parseArgs(['create', 'id'], ['state', 'list'])).toThrow('unknown command "create" (ctrun state, list)');
  });
});
