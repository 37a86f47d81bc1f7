import { useEffect, useState } from 'preact/hooks';
import { apiKey, signIn, signInMessage, signOut } from './api';
import { JobsPage } from './pages/Jobs';
import { RunPage } from './pages/Run';
import { RunsPage } from './pages/Runs';
import { SchedulesPage } from './pages/Schedules';
import { WorkflowPage, WorkflowsPage } from './pages/Workflows';
import { onLinkClick, useRoute } from './router';
import { loadPrincipal, principal } from './session';
import { useStore } from './store';
import { useUtc } from './time';

function SignIn() {
  const message = useStore(signInMessage);
  const [key, setKey] = useState('');
  return (
    <main class="signin">
      <form
        class="card"
        onSubmit={(event) => {
          event.preventDefault();
          if (key.trim()) signIn(key.trim());
        }}
      >
        <h1>flowdeck</h1>
        <p class="muted">Sign in with an API key. It is kept in this tab only.</p>
        {message && (
          <div class="error-box" role="alert">
            {message}
          </div>
        )}
        <label>
          API key
          <input
            name="key"
            type="password"
            autoComplete="off"
            autoFocus
            value={key}
            onInput={(event) => setKey(event.currentTarget.value)}
          />
        </label>
        <button type="submit" class="primary">
          Sign in
        </button>
      </form>
    </main>
  );
}

function Page() {
  const { path } = useRoute();
  let match: RegExpExecArray | null;
  if ((match = /^\/runs\/([^/]+)$/.exec(path))) return <RunPage id={decodeURIComponent(match[1])} />;
  if (path === '/workflows') return <WorkflowsPage />;
  if ((match = /^\/workflows\/([^/]+)$/.exec(path))) return <WorkflowPage workflowKey={decodeURIComponent(match[1])} />;
  if (path === '/schedules') return <SchedulesPage />;
  if ((match = /^\/schedules\/([^/]+)$/.exec(path))) return <SchedulesPage scheduleKey={decodeURIComponent(match[1])} />;
  if (path === '/jobs') return <JobsPage />;
  if (path === '/') return <RunsPage />;
  return <p class="page">No page here. <a href="/">Runs</a></p>;
}

function Nav() {
  const me = useStore(principal);
  const utc = useStore(useUtc);
  const { path } = useRoute();
  const item = (href: string, label: string, active: boolean) => (
    <a href={href} class={active ? 'active' : ''} aria-current={active ? 'page' : undefined}>
      {label}
    </a>
  );
  return (
    <header class="topbar">
      <a href="/" class="brand">
        flowdeck
      </a>
      <nav>
        {item('/', 'Runs', path === '/' || path.startsWith('/runs/'))}
        {item('/workflows', 'Workflows', path.startsWith('/workflows'))}
        {item('/schedules', 'Schedules', path.startsWith('/schedules'))}
        {item('/jobs', 'Jobs', path === '/jobs')}
      </nav>
      <span class="spacer" />
      <button type="button" class="small ghost" onClick={() => useUtc.set(!utc)} title="Times in UTC or local time">
        {utc ? 'UTC' : 'Local'}
      </button>
      {me && (
        <span class="who" title={me.project ? `project ${me.project.key}` : 'every project'}>
          {me.name} · {me.role}
        </span>
      )}
      <button type="button" class="small" onClick={() => signOut()}>
        Sign out
      </button>
    </header>
  );
}

export function App() {
  const key = useStore(apiKey);
  const me = useStore(principal);
  useEffect(() => {
    void loadPrincipal();
  }, [key]);
  if (!key) return <SignIn />;
  if (!me) return <p class="loading page">Signing in…</p>;
  return (
    <div onClick={onLinkClick}>
      <Nav />
      <Page />
    </div>
  );
}
