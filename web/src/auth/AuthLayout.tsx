import type { ReactNode } from 'react';
import { Logo } from '../ui/Logo';

export function AuthLayout({ title, subtitle, children, footer }: {
  title: string;
  subtitle: string;
  children: ReactNode;
  footer: ReactNode;
}) {
  return (
    <div className="auth">
      <div className="auth__brand">
        <Logo to="/" />
      </div>
      <main className="auth__card card">
        <h1>{title}</h1>
        <p className="muted">{subtitle}</p>
        {children}
      </main>
      <p className="auth__footer">{footer}</p>
    </div>
  );
}
