export function Logs() {
  return (
    <section>
      <h1>Logs</h1>
      <p className="empty">This page is being written.</p>
    </section>
  );
}
