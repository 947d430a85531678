import { useState, type ReactNode } from "react";
import type { PagedList } from "./paged_list.tsx";
import { QueryStates } from "./states.tsx";

/** What ListPage shows; the page's strings are built from `title` and `noun`. */
export interface ListPageProps<T> {
  /** The heading's id is `${id}-title`. */
  id: string;
  /** The heading, and the list's accessible name ("Credentials"). */
  title: string;
  /** The items in the loading and error states and the "Load more" button ("credentials"). */
  noun: string;
  list: PagedList<T>;
  listClassName: string;
  /** Shown instead of an empty list. */
  empty: ReactNode;
  /** One item of the list: an <li> with its key. */
  item: (item: T) => ReactNode;
  /** The add form; it calls `added` with the new item's name, or `cancel`. */
  form: (added: (name: string) => void, cancel: () => void) => ReactNode;
  /** What the notice says after "Added “name”." */
  addedHint: string;
  /** Shown under the "Added" notice, while it shows (what is shown once, such as a secret). */
  afterAdded?: ReactNode;
  /** Opens the add form by itself while the list is empty. */
  formWhenEmpty?: boolean;
}

/** A page that lists an API collection: heading with Add, the add form, the list with its states and "Load more". */
export function ListPage<T>(props: ListPageProps<T>): ReactNode {
  const { list } = props;
  const [adding, setAdding] = useState(false);
  const [added, setAdded] = useState<string | null>(null);
  const showForm = adding || (props.formWhenEmpty === true && list.query.isSuccess && list.items.length === 0);
  const titleId = `${props.id}-title`;

  return (
    <section aria-labelledby={titleId}>
      <div className="page-head">
        <h1 id={titleId}>{props.title}</h1>
        {!showForm ? (
          <button type="button" className="primary" onClick={() => setAdding(true)}>
            Add
          </button>
        ) : null}
      </div>
      {added ? (
        <p className="notice" role="status">
          Added “{added}”. {props.addedHint}
        </p>
      ) : null}
      {added ? props.afterAdded : null}
      {showForm
        ? props.form(
            (name) => {
              setAdding(false);
              setAdded(name);
            },
            () => setAdding(false),
          )
        : null}
      <QueryStates
        query={list.query}
        loading={`Loading ${props.noun}…`}
        errorTitle={`Cannot load ${props.noun}`}
        loaded={() =>
          list.items.length === 0 ? (
            props.empty
          ) : (
            <>
              <ul className={props.listClassName} aria-label={props.title}>
                {list.items.map((i) => props.item(i))}
              </ul>
              {list.query.hasNextPage ? (
                <button type="button" onClick={() => void list.query.fetchNextPage()} disabled={list.query.isFetchingNextPage}>
                  {list.query.isFetchingNextPage ? "Loading…" : `Load more ${props.noun}`}
                </button>
              ) : null}
            </>
          )
        }
      />
    </section>
  );
}
