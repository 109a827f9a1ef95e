"""Page-level helpers: what a person does on the integration status console, so a test reads like the
flow (sign in, open the page in Airflow's UI, filter, select, act, see the run land)."""

from __future__ import annotations

from pathlib import Path

from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ready
from selenium.webdriver.support.ui import Select, WebDriverWait

UI_ROUTE = "/plugin/integration-status"  # the page inside Airflow's UI (its navigation bar, its frame)
PAGE = "/integration-status/"


class SignInPage:
    def __init__(self, driver, base_url: str):
        self.driver, self.base_url = driver, base_url

    def sign_in(self, username: str, password: str, then: str = UI_ROUTE) -> None:
        """Airflow's own login form (the simple auth manager's), then back to ``then``."""
        self.driver.get(f"{self.base_url}/auth/login?next={self.base_url}{then}")
        wait = WebDriverWait(self.driver, 30)
        wait.until(ready.presence_of_element_located((By.NAME, "username"))).send_keys(username)
        self.driver.find_element(By.NAME, "password").send_keys(password)
        wait.until(ready.element_to_be_clickable((By.CSS_SELECTOR, "button[type='submit']"))).click()
        wait.until(lambda d: "/auth/login" not in d.current_url)


class ConsolePage:
    """The status page, as the person sees it inside Airflow's UI (``in_airflow_ui``) or on its own."""

    def __init__(self, driver, base_url: str):
        self.driver, self.base_url = driver, base_url
        self.wait = WebDriverWait(driver, 30)

    # -- where ---------------------------------------------------------------------------------
    def open_in_airflow_ui(self) -> ConsolePage:
        self.driver.switch_to.default_content()
        self.driver.get(self.base_url + UI_ROUTE)
        frame = self.wait.until(ready.presence_of_element_located((By.CSS_SELECTOR, "iframe[title='Integration status']")))
        self.driver.switch_to.frame(frame)
        self.wait.until(ready.presence_of_element_located((By.ID, "content")))
        return self

    def open(self, path: str = "") -> ConsolePage:
        self.driver.switch_to.default_content()
        self.driver.get(self.base_url + PAGE + path)
        self.wait.until(ready.presence_of_element_located((By.ID, "content")))
        return self

    def go_to_objects(self) -> ConsolePage:
        self.driver.find_element(By.LINK_TEXT, "objects").click()
        self.wait.until(ready.presence_of_element_located((By.CSS_SELECTOR, "h1")))
        self.wait.until(lambda d: d.find_element(By.CSS_SELECTOR, "h1").text == "Integration objects")
        return self

    def open_object(self, key: str) -> ConsolePage:
        self.driver.find_element(By.LINK_TEXT, key).click()
        self.wait.until(lambda d: key in d.find_element(By.CSS_SELECTOR, "h1").text)
        return self

    def filter(self, **choices: str) -> ConsolePage:
        """Choose values in the list's filter form (``status="error"``...) and press Show."""
        form = self.driver.find_element(By.CSS_SELECTOR, "#content form")
        for name, value in choices.items():
            Select(form.find_element(By.NAME, name)).select_by_value(value)
        old = self.driver.find_element(By.ID, "content")
        form.find_element(By.CSS_SELECTOR, "button[type='submit']").click()
        self.wait.until(ready.staleness_of(old))
        self.wait.until(ready.presence_of_element_located((By.ID, "content")))
        return self

    # -- what it shows -------------------------------------------------------------------------
    def keys_listed(self) -> list[str]:
        return [box.get_attribute("data-key") for box in self.driver.find_elements(By.CSS_SELECTOR, "input.pick")] or [
            link.text for link in self.driver.find_elements(By.CSS_SELECTOR, "table.rows td a[href*='object/']")]

    def action_buttons(self) -> list[str]:
        return [b.text for b in self.driver.find_elements(By.CSS_SELECTOR, "button.act")]

    def checkboxes(self) -> int:
        return len(self.driver.find_elements(By.CSS_SELECTOR, "input.pick, input.pick-page"))

    def text(self) -> str:
        return self.driver.find_element(By.TAG_NAME, "body").text

    def charts(self) -> int:
        return len(self.driver.find_elements(By.CSS_SELECTOR, "svg.chart"))

    # -- acting --------------------------------------------------------------------------------
    def select(self, *keys: str) -> ConsolePage:
        for key in keys:
            box = self.driver.find_element(By.CSS_SELECTOR, f"input.pick[data-key='{key}']")
            if not box.is_selected():
                box.click()
        self.wait.until(lambda d: d.find_element(By.CSS_SELECTOR, ".selected-count").text == f"{len(keys)} selected")
        return self

    def act(self, label: str, reason: str | None = None) -> str:
        """Press an action's button; the text the page answers with (what was done, what was refused)."""
        bar = self.driver.find_element(By.CSS_SELECTOR, ".actionbar")
        if reason is not None:
            bar.find_element(By.CSS_SELECTOR, ".mark-reason").send_keys(reason)
        bar.find_element(By.XPATH, f".//button[@class='act' and normalize-space()='{label}']").click()
        result = self.wait.until(lambda d: _answered(d.find_element(By.CSS_SELECTOR, ".action-result").text))
        return result

    def wait_for_run_to_end(self, timeout: float = 240) -> dict[str, str]:
        """The run the console started, followed until it ends: each object's state then, by key."""
        WebDriverWait(self.driver, timeout, poll_frequency=1, ignored_exceptions=(StaleElementReferenceException,)
                      ).until(lambda d: d.find_element(By.CSS_SELECTOR, "#runs .run-state").text in ("success", "failed"))
        states = {}
        for item in self.driver.find_elements(By.CSS_SELECTOR, "#runs .run-object"):
            key, _, state = item.text.partition(": ")
            states[key] = state
        return states

    def run_state(self) -> str:
        return self.driver.find_element(By.CSS_SELECTOR, "#runs .run-state").text

    def open_run_in_airflow(self) -> str:
        """Follow the link of the run the console started: Airflow's own page of that run (its URL)."""
        self.driver.find_element(By.CSS_SELECTOR, "#runs a.ui-link").click()
        self.driver.switch_to.default_content()
        self.wait.until(lambda d: "/runs/" in d.current_url)
        return self.driver.current_url

    def screenshot(self, path: Path) -> Path:
        """The whole window, Airflow's UI around the frame included, the page scrolled to its top."""
        self.driver.execute_script("window.scrollTo(0, 0)")
        self.driver.switch_to.default_content()
        path.parent.mkdir(parents=True, exist_ok=True)
        self.driver.save_screenshot(str(path))
        frames = self.driver.find_elements(By.CSS_SELECTOR, "iframe[title='Integration status']")
        if frames:
            self.driver.switch_to.frame(frames[0])
        return path


def _answered(text: str) -> str | bool:
    return text if text and "sending…" not in text else False
