import { lazy } from 'react';
import { Navigate, Route, Routes } from 'react-router';
import { AgentLayout } from './agents/AgentLayout';
import { AgentsPage } from './agents/AgentsPage';
import { SignInPage } from './auth/SignInPage';
import { SignUpPage } from './auth/SignUpPage';
import { ContactsPage } from './contacts/ContactsPage';
import { DemoChatPage } from './chat/DemoChatPage';
import { HistoryPage } from './chat/HistoryPage';
import { FormsPage } from './forms/FormsPage';
import { OutboxPage } from './outbox/OutboxPage';
import { RequireSession, SignedOutOnly } from './session/guards';
import { SessionProvider } from './session/SessionContext';
import { AppShell } from './shell/AppShell';
import { NotFoundPage } from './shell/NotFoundPage';
import { AuditPage } from './audit/AuditPage';
import { AcceptInvitePage } from './team/AcceptInvitePage';
import { TeamPage } from './team/TeamPage';
import { ToastProvider } from './ui/Toast';
import { RequireWorkspace } from './workspace/RequireWorkspace';
import { WorkspaceSettingsPage } from './workspace/WorkspaceSettingsPage';

// The rich-text editor (contact page) and drag and drop (board, settings, automations) load with their pages.
const ImportsPage = lazy(() => import('./imports/ImportsPage').then((m) => ({ default: m.ImportsPage })));
const ImportPage = lazy(() => import('./imports/ImportPage').then((m) => ({ default: m.ImportPage })));
const AutomationsPage = lazy(() => import('./automations/AutomationsPage').then((m) => ({ default: m.AutomationsPage })));
const AgentSettings = lazy(() => import('./agents/AgentSettings').then((m) => ({ default: m.AgentSettings })));
const BoardPage = lazy(() => import('./contacts/BoardPage').then((m) => ({ default: m.BoardPage })));
const ContactPage = lazy(() => import('./contacts/ContactPage').then((m) => ({ default: m.ContactPage })));

export function App() {
  return (
    <SessionProvider>
      <ToastProvider>
        <AppRoutes />
      </ToastProvider>
    </SessionProvider>
  );
}

export function AppRoutes() {
  return (
    <Routes>
      <Route element={<SignedOutOnly />}>
        <Route path="/signin" element={<SignInPage />} />
        <Route path="/signup" element={<SignUpPage />} />
      </Route>
      {/* Signed in or not: accepting signs in as the invited person. */}
      <Route path="/invite" element={<AcceptInvitePage />} />
      <Route path="/" element={<Navigate to="/agents" replace />} />
      <Route element={<AppShell />}>
        <Route element={<RequireSession />}>
          <Route element={<RequireWorkspace />}>
            <Route path="/agents" element={<AgentsPage />} />
            <Route path="/agents/:agentId" element={<AgentLayout />}>
              <Route index element={<Navigate to="contacts" replace />} />
              <Route path="contacts" element={<ContactsPage />} />
              <Route path="contacts/:contactId" element={<ContactPage />} />
              <Route path="board" element={<BoardPage />} />
              <Route path="forms" element={<FormsPage />} />
              <Route path="automations" element={<AutomationsPage />} />
              <Route path="imports" element={<ImportsPage />} />
              <Route path="imports/:importId" element={<ImportPage />} />
              <Route path="history" element={<HistoryPage />} />
              <Route path="demo-chat" element={<DemoChatPage />} />
              <Route path="settings" element={<AgentSettings />} />
              <Route path="*" element={<NotFoundPage />} />
            </Route>
            <Route path="/team" element={<TeamPage />} />
            <Route path="/settings" element={<WorkspaceSettingsPage />} />
            <Route path="/audit" element={<AuditPage />} />
          </Route>
        </Route>
        <Route path="/dev/outbox" element={<OutboxPage />} />
        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
  );
}
