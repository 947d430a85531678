import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { lazy, Suspense, useState, type ReactNode } from "react";
import { BrowserRouter, Link, Navigate, NavLink, Route, Routes } from "react-router";
import { ApiProblem } from "./api/api_problem.ts";
import { LiveUpdatesProvider, useLiveUpdates } from "./api/live_updates.tsx";
import { SessionProvider, useSession } from "./auth/session.tsx";
import { ChartsPage } from "./pages/charts_page.tsx";
import { CredentialsPage } from "./pages/credentials_page.tsx";
import { ReceiversPage } from "./pages/receivers_page.tsx";
import { RepositoriesPage } from "./pages/repositories_page.tsx";
import { SignInPage } from "./pages/sign_in_page.tsx";
import { SubscriptionsPage } from "./pages/subscriptions_page.tsx";
import { Empty, Loading } from "./components/states.tsx";

// The chart page brings the Markdown, sanitiser and highlighter code: loaded when first opened.
const ChartPage = lazy(async () => ({ default: (await import("./pages/chart_page.tsx")).ChartPage }));

function makeQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 5_000,
        refetchOnWindowFocus: false,
        // A 4xx will not change by asking again; a network failure or 5xx may.
        retry: (count, error) => count < 2 && !(error instanceof ApiProblem && error.status >= 400 && error.status < 500),
      },
    },
  });
}

/** The whole UI: session, data cache, live events, and the pages. */
export function App(): ReactNode {
  const [queryClient] = useState(makeQueryClient);
  return (
    <BrowserRouter>
      <SessionProvider>
        <QueryClientProvider client={queryClient}>
          <Gate />
        </QueryClientProvider>
      </SessionProvider>
    </BrowserRouter>
  );
}

function Gate(): ReactNode {
  const { client } = useSession();
  if (client === null) return <SignInPage />;
  return (
    <LiveUpdatesProvider>
      <Layout>
        <Routes>
          <Route path="/" element={<Navigate to="/charts" replace />} />
          <Route path="/charts" element={<ChartsPage />} />
          <Route
            path="/charts/:registryId/:chartName"
            element={
              <Suspense fallback={<Loading label="Loading chart…" />}>
                <ChartPage />
              </Suspense>
            }
          />
          <Route path="/repositories" element={<RepositoriesPage />} />
          <Route path="/credentials" element={<CredentialsPage />} />
          <Route path="/subscriptions" element={<SubscriptionsPage />} />
          <Route path="/receivers" element={<ReceiversPage />} />
          <Route
            path="*"
            element={
              <Empty title="No such page">
                <p>
                  Go to <NavLink to="/charts">Charts</NavLink>.
                </p>
              </Empty>
            }
          />
        </Routes>
      </Layout>
    </LiveUpdatesProvider>
  );
}

const liveLabels = {
  live: "Live",
  connecting: "Reconnecting…",
  unavailable: "Polling",
  closed: "Offline",
} as const;

function Layout({ children }: { children: ReactNode }): ReactNode {
  const { signOut } = useSession();
  const { state } = useLiveUpdates();
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="top">
        <Link to="/charts" className="brand">
          Charthouse
        </Link>
        <nav aria-label="Main">
          <NavLink to="/charts" end={false}>
            Charts
          </NavLink>
          <NavLink to="/repositories">Repositories</NavLink>
          <NavLink to="/credentials">Credentials</NavLink>
          <NavLink to="/subscriptions">Subscriptions</NavLink>
          <NavLink to="/receivers">Receivers</NavLink>
        </nav>
        <span
          className={`live live-${state}`}
          title={state === "unavailable" ? "The API has no event stream; pages refresh by polling" : "Live updates from /api/v1/events"}
          data-testid="live-state"
        >
          {liveLabels[state]}
        </span>
        <button type="button" className="link-button" onClick={() => signOut()}>
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
